import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's Prometheus metrics, on a registry of its own (no global state). */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly attempts = new Counter({ name: 'worker_task_attempts_total', help: 'Finished attempts by the status they led to', labelNames: ['status'], registers: [this.registry] });
  readonly attemptSeconds = new Histogram({
    name: 'worker_task_attempt_duration_seconds',
    help: 'Wall time of attempts, claim to finish',
    buckets: [1, 5, 30, 60, 300, 600, 1200, 1800, 3600],
    registers: [this.registry],
  });
  readonly dropped = new Counter({ name: 'worker_dispatch_dropped_total', help: 'Dispatch messages acked without running (duplicate, finished, held)', registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'worker_dead_lettered_total', help: 'Messages moved to tasks.dead', registers: [this.registry] });
  readonly reaped = new Counter({ name: 'worker_reaped_tasks_total', help: 'Tasks whose lease expired, by the status they got', labelNames: ['status'], registers: [this.registry] });
  readonly callbacks = new Counter({ name: 'worker_callbacks_total', help: 'Callback deliveries', labelNames: ['result'], registers: [this.registry] });
  readonly busy = new Gauge({ name: 'worker_busy', help: '1 while a task runs', registers: [this.registry] });
  readonly unhealthy = new Gauge({ name: 'worker_unhealthy', help: "1 while the worker's environment is broken and it takes no tasks", registers: [this.registry] });
  readonly leader = new Gauge({ name: 'worker_reaper_leader', help: '1 while this worker is the reaper leader', registers: [this.registry] });

  constructor(withDefaults = false) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry });
  }
}
