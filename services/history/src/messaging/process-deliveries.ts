import { performance } from 'node:perf_hooks';
import type { Delivery } from '@aiopslab/shared/amqp/delivery';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { HistoryMetrics } from '../http/history-metrics';
import { recordEvents, RecordOutcome, WriteEvents } from '../use-cases/record-events';
import { backoffMs } from '@aiopslab/shared/domain/backoff';

/** A decoded event and the delivery that brought it (the only handle that may settle it). */
export interface ReceivedEvent {
  delivery: Delivery;
  event: TaskEvent;
}

export interface DeliveryProcessorDeps {
  write: WriteEvents;
  metrics: HistoryMetrics;
  logger: Logger;
  /** Pause before retrying a batch the database refused; doubles per consecutive failure. */
  retry: { baseMs: number; maxMs: number };
}

/**
 * Turns one batch of deliveries into history rows. Every message is settled exactly once, and
 * only after the fact it stands for is durable: acked after the INSERT committed, or after its
 * dead-letter copy was confirmed. Events of unknown tasks, and events the database refuses as
 * bad data, leave for `tasks.dead` (the consumer already sent malformed bodies there).
 *
 * When the database fails, the batch stays unacked and is retried in place with capped
 * exponential backoff: no spinning, nothing lost, and no redelivery churn (a quorum queue's
 * delivery-limit would otherwise dead-letter good events during a long outage). It is handed
 * back to the broker (nack, requeue) only when the service stops or the channel is gone.
 */
export class DeliveryProcessor {
  private stopping = false;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly deps: DeliveryProcessorDeps) {}

  /** From now on a failing batch is handed back at once instead of retried (shutdown). */
  stopRetrying(): void {
    this.stopping = true;
    this.wakeUp?.();
  }

  readonly process = async (batch: ReceivedEvent[]): Promise<void> => {
    const started = performance.now();
    const settling: Promise<unknown>[] = [];
    const outcomes = await this.record(batch, batch.map((v) => v.event));
    if (outcomes) outcomes.forEach((outcome, i) => settling.push(this.settle(batch[i].delivery, batch[i].event, outcome)));
    else batch.forEach((v) => v.delivery.nack(true));
    await Promise.all(settling);
    this.deps.metrics.batchSize.observe(batch.length);
    this.deps.metrics.batchSeconds.observe((performance.now() - started) / 1000);
  };

  /** The outcome per event, or null when the batch must go back to the broker. */
  private async record(valid: { delivery: Delivery }[], events: TaskEvent[]): Promise<RecordOutcome[] | null> {
    for (let failures = 1; ; failures++) {
      try {
        return await recordEvents(this.deps.write, events);
      } catch (error) {
        this.deps.metrics.dbErrors.inc();
        const held = valid.some((v) => v.delivery.channelOpen);
        const { baseMs, maxMs } = this.deps.retry;
        const delayMs = backoffMs(failures, { baseMs, capMs: maxMs });
        const context = { error: (error as Error).message, events: events.length, failures };
        if (this.stopping || !held) {
          this.deps.logger.warn('database refused a batch; handing it back to the queue', { ...context, channel_open: held });
          return null;
        }
        this.deps.logger.warn('database refused a batch; retrying it', { ...context, delay_ms: delayMs });
        await this.pause(delayMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async settle(delivery: Delivery, event: TaskEvent, outcome: RecordOutcome): Promise<unknown> {
    const { metrics } = this.deps;
    switch (outcome.status) {
      case 'recorded':
        metrics.recorded.inc();
        metrics.lag.observe(Math.max(0, outcome.recordedAt.getTime() - Date.parse(event.occurred_at)) / 1000);
        metrics.processing.observe((performance.now() - delivery.receivedAt) / 1000);
        return delivery.ack();
      case 'duplicate':
        metrics.duplicates.inc();
        return delivery.ack();
      case 'unknown_task':
        return delivery.deadLetter('unknown_task', `task ${event.task_id} does not exist`);
      case 'rejected':
        return delivery.deadLetter('rejected_by_database', outcome.detail);
    }
  }
}
