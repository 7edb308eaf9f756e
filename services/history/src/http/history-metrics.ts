import { Counter, Histogram, Registry } from 'prom-client';

/** Lag buckets fine enough to tell 1 ms from 2 ms, wide enough to show a backlog of minutes. */
const LAG_BUCKETS = [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export interface HistoryMetrics {
  recorded: Counter;
  duplicates: Counter;
  deadLettered: Counter<'reason'>;
  lag: Histogram;
  processing: Histogram;
  batchSize: Histogram;
  batchSeconds: Histogram;
  dbErrors: Counter;
}

/** The service's own metrics, registered on the given registry (no global default registry). */
export function createHistoryMetrics(registry: Registry): HistoryMetrics {
  const registers = [registry];
  return {
    recorded: new Counter({ name: 'history_events_recorded_total', help: 'Transitions written to status_history (rate() gives events per second)', registers }),
    duplicates: new Counter({ name: 'history_events_duplicate_total', help: 'Events ignored because their event_id was already recorded (redeliveries)', registers }),
    deadLettered: new Counter({ name: 'history_events_dead_lettered_total', help: 'Events sent to the dead-letter queue, by reason', labelNames: ['reason'], registers }),
    lag: new Histogram({ name: 'history_event_lag_seconds', help: 'recorded_at - occurred_at of each recorded transition', buckets: LAG_BUCKETS, registers }),
    processing: new Histogram({ name: 'history_processing_seconds', help: 'From delivery to this service until its row committed (the service\'s own share of the lag)', buckets: LAG_BUCKETS, registers }),
    batchSize: new Histogram({ name: 'history_batch_size', help: 'Events per flushed batch', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers }),
    batchSeconds: new Histogram({ name: 'history_batch_duration_seconds', help: 'Time to record one batch and settle its messages', buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5], registers }),
    dbErrors: new Counter({ name: 'history_db_errors_total', help: 'Batches requeued because the database failed', registers }),
  };
}
