import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type Labels = 'provider' | 'cluster';

/** Prometheus metrics of a worker's cluster (`aiopslab_worker_cluster_*`). */
export interface ClusterMetrics {
  createSeconds: Histogram<Labels | 'outcome'>;
  healthCheckSeconds: Histogram<Labels>;
  healthy: Gauge<Labels>;
  recreations: Counter<Labels | 'reason'>;
  tasksSinceCreate: Gauge<Labels>;
  warmSeconds: Histogram<Labels | 'outcome'>;
}

/** Reuses a metric already in the registry (two providers may share one registry, e.g. in tests). */
function registered<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createClusterMetrics(registry: Registry): ClusterMetrics {
  const registers = [registry];
  return {
    createSeconds: registered(registry, 'aiopslab_worker_cluster_create_seconds', () =>
      new Histogram({
        name: 'aiopslab_worker_cluster_create_seconds',
        help: 'Time to create the worker cluster (kind create cluster), by outcome',
        labelNames: ['provider', 'cluster', 'outcome'] as const,
        buckets: [15, 30, 60, 120, 180, 300, 600, 900, 1800],
        registers,
      }),
    ),
    healthCheckSeconds: registered(registry, 'aiopslab_worker_cluster_health_check_seconds', () =>
      new Histogram({
        name: 'aiopslab_worker_cluster_health_check_seconds',
        help: 'Time of one cluster health check (API /readyz and node readiness)',
        labelNames: ['provider', 'cluster'] as const,
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
    ),
    healthy: registered(registry, 'aiopslab_worker_cluster_healthy', () =>
      new Gauge({
        name: 'aiopslab_worker_cluster_healthy',
        help: '1 when the last health check of the worker cluster passed, else 0',
        labelNames: ['provider', 'cluster'] as const,
        registers,
      }),
    ),
    recreations: registered(registry, 'aiopslab_worker_cluster_recreations_total', () =>
      new Counter({
        name: 'aiopslab_worker_cluster_recreations_total',
        help: 'Worker cluster recreations, by reason (unhealthy, dirty, task_limit)',
        labelNames: ['provider', 'cluster', 'reason'] as const,
        registers,
      }),
    ),
    tasksSinceCreate: registered(registry, 'aiopslab_worker_cluster_tasks_since_create', () =>
      new Gauge({
        name: 'aiopslab_worker_cluster_tasks_since_create',
        help: 'Tasks run on the worker cluster since it was created',
        labelNames: ['provider', 'cluster'] as const,
        registers,
      }),
    ),
    warmSeconds: registered(registry, 'aiopslab_worker_cluster_warm_seconds', () =>
      new Histogram({
        name: 'aiopslab_worker_cluster_warm_seconds',
        help: 'Time to check and (re-)install the warm components (OpenEBS, Prometheus) before a task, by outcome',
        labelNames: ['provider', 'cluster', 'outcome'] as const,
        buckets: [0.5, 2, 10, 30, 60, 120, 300, 600, 1200],
        registers,
      }),
    ),
  };
}
