import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  tasksSubmitted: Counter<'mode'>;
  outboxBacklog: Gauge;
}

/** One registry per app instance (tests build several apps in one process). */
export function createApiMetrics(outboxBacklog: () => Promise<number>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestDuration: new Histogram({
      name: 'aiopslab_api_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    tasksSubmitted: new Counter({ name: 'aiopslab_api_tasks_submitted_total', help: 'Tasks accepted (new, not idempotent replays)', labelNames: ['mode'], registers: [registry] }),
    outboxBacklog: new Gauge({
      name: 'aiopslab_outbox_backlog',
      help: 'Outbox messages not yet published to RabbitMQ',
      registers: [registry],
      async collect() {
        this.set(await outboxBacklog().catch(() => -1));
      },
    }),
  };
}
