import { performance } from 'node:perf_hooks';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { HistoryMetrics } from '../http/history-metrics';
import { recordEvents, RecordOutcome, WriteEvents } from '../use-cases/record-events';
import { deadLetterOptions } from './dead-letter';
import type { EventDecoder, RejectReason } from './decode-event';

/** A message and the channel that delivered it: the only channel allowed to settle it. */
export interface Delivery {
  channel: ConfirmChannel;
  message: ConsumeMessage;
  /** performance.now() when it arrived: the service's own share of the lag starts here. */
  receivedAt: number;
}

export interface DeliveryProcessorDeps {
  queue: string;
  deadExchange: string;
  decode: EventDecoder;
  write: WriteEvents;
  metrics: HistoryMetrics;
  logger: Logger;
  /** Pause before retrying a batch the database refused; doubles per consecutive failure. */
  retry: { baseMs: number; maxMs: number };
  /** False once the delivery's channel has closed (the broker has put the message back). */
  canSettle(delivery: Delivery): boolean;
}

/**
 * Turns one batch of deliveries into history rows. Every message is settled exactly once, and
 * only after the fact it stands for is durable: acked after the INSERT committed, or after its
 * dead-letter copy was confirmed. Malformed messages never block the queue: they leave for
 * `tasks.dead`.
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

  readonly process = async (batch: Delivery[]): Promise<void> => {
    const started = performance.now();
    const valid: { delivery: Delivery; event: TaskEvent }[] = [];
    const settling: Promise<void>[] = [];
    for (const delivery of batch) {
      const decoded = this.deps.decode(delivery.message.content);
      if (decoded.ok) valid.push({ delivery, event: decoded.event });
      else settling.push(this.deadLetter(delivery, decoded.reason, decoded.detail));
    }
    if (valid.length > 0) {
      const outcomes = await this.record(valid, valid.map((v) => v.event));
      if (outcomes) outcomes.forEach((outcome, i) => settling.push(this.settle(valid[i].delivery, valid[i].event, outcome)));
      else valid.forEach((v) => requeue(v.delivery));
    }
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
        const held = valid.some((v) => this.deps.canSettle(v.delivery));
        const { baseMs, maxMs } = this.deps.retry;
        const delayMs = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 20));
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

  private async settle(delivery: Delivery, event: TaskEvent, outcome: RecordOutcome): Promise<void> {
    const { metrics } = this.deps;
    switch (outcome.status) {
      case 'recorded':
        metrics.recorded.inc();
        metrics.lag.observe(Math.max(0, outcome.recordedAt.getTime() - Date.parse(event.occurred_at)) / 1000);
        metrics.processing.observe((performance.now() - delivery.receivedAt) / 1000);
        return ack(delivery);
      case 'duplicate':
        metrics.duplicates.inc();
        return ack(delivery);
      case 'unknown_task':
        return this.deadLetter(delivery, 'unknown_task', `task ${event.task_id} does not exist`);
      case 'rejected':
        return this.deadLetter(delivery, 'rejected_by_database', outcome.detail);
    }
  }

  /** Copies the message to the dead-letter exchange with the reason, then acks it once confirmed. */
  private async deadLetter(delivery: Delivery, reason: RejectReason, detail: string): Promise<void> {
    const { channel, message } = delivery;
    const context = { reason, detail, message_id: message.properties.messageId, correlation_id: message.properties.correlationId, routing_key: message.fields.routingKey };
    try {
      const options = deadLetterOptions(message, this.deps.queue, reason, detail);
      await new Promise<void>((resolve, reject) => {
        channel.publish(this.deps.deadExchange, message.fields.routingKey, message.content, options, (error) => (error ? reject(error) : resolve()));
      });
      ack(delivery);
      this.deps.metrics.deadLettered.inc({ reason });
      this.deps.logger.warn('event dead-lettered', context);
    } catch (error) {
      // Not acked: the broker delivers it again and we retry the dead-lettering then.
      this.deps.logger.warn('dead-lettering failed; the event stays on the queue', { ...context, error: (error as Error).message });
      await new Promise((resolve) => setTimeout(resolve, this.deps.retry.baseMs));
      requeue(delivery);
    }
  }
}

/** Settling on a closed channel is impossible and unnecessary: the broker redelivers the message. */
function ack({ channel, message }: Delivery): void {
  try {
    channel.ack(message);
  } catch {
    /* channel closed */
  }
}

function requeue({ channel, message }: Delivery): void {
  try {
    channel.nack(message, false, true);
  } catch {
    /* channel closed */
  }
}
