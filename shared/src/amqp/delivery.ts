import { performance } from 'node:perf_hooks';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../logging/logger';
import { DeadLetterReason, deadLetterOptions } from './dead-letter';
import { sleep } from '../lifecycle/sleep';

/** Where and as whom a consumer dead-letters. */
export interface DeadLetterTarget {
  exchange: string;
  /** `x-dead-lettered-by`: the service or worker id. */
  by: string;
  /** Pause before requeueing a message whose dead-letter copy the broker did not confirm. */
  retryDelayMs: number;
  logger: Logger;
  onDeadLettered?(reason: DeadLetterReason): void;
}

/**
 * Header of task events: whether the task has a callback_url (`yes`/`no`). Not `x-` prefixed:
 * a headers exchange ignores such headers, and `task.callbacks.filter` routes on this one.
 */
export const CALLBACK_HEADER = 'task-callback';

/**
 * One received message and the confirm channel that delivered it: it is settled there and only
 * there (a delivery tag means nothing on another channel), at most once, and not at all once that
 * channel has closed (the broker has already requeued it then).
 */
export class Delivery {
  private settled = false;
  /** performance.now() when it arrived. */
  readonly receivedAt = performance.now();

  constructor(
    readonly channel: ConfirmChannel,
    readonly message: ConsumeMessage,
    readonly queue: string,
    private readonly isChannelOpen: () => boolean,
    private readonly deadLetters: DeadLetterTarget,
  ) {}

  get channelOpen(): boolean {
    return this.isChannelOpen();
  }

  get isSettled(): boolean {
    return this.settled;
  }

  get correlationId(): string | undefined {
    const fromProperty = this.message.properties.correlationId as string | undefined;
    const fromHeader = this.message.properties.headers?.['x-correlation-id'] as string | undefined;
    return fromProperty ?? fromHeader ?? undefined;
  }

  /**
   * False when the message says its task has no callback_url (header task-callback: no, set on
   * transition events); true when it says it has one, or does not say (older publishers).
   */
  get mayHaveCallback(): boolean {
    return this.message.properties.headers?.[CALLBACK_HEADER] !== 'no';
  }

  ack(): boolean {
    return this.settle(() => this.channel.ack(this.message));
  }

  nack(requeue: boolean): boolean {
    return this.settle(() => this.channel.nack(this.message, false, requeue));
  }

  /**
   * Copies the message to the dead-letter exchange on its own channel and acks it once the broker
   * confirmed the copy, so it never loops. If the copy is not confirmed, the original is requeued
   * after a pause rather than lost. Returns whether it was dead-lettered.
   */
  async deadLetter(reason: DeadLetterReason, detail: string): Promise<boolean> {
    const { exchange, by, logger, retryDelayMs } = this.deadLetters;
    const { properties, fields } = this.message;
    const context = { reason, detail, queue: this.queue, message_id: properties.messageId, correlation_id: properties.correlationId };
    if (this.settled) return false;
    try {
      const options = deadLetterOptions(this.message, this.queue, reason, detail, by);
      await new Promise<void>((resolve, reject) => {
        this.channel.publish(exchange, fields.routingKey, this.message.content, options, (error) => (error ? reject(error) : resolve()));
      });
      if (!this.ack()) return false;
      this.deadLetters.onDeadLettered?.(reason);
      logger.warn('message dead-lettered', context);
      return true;
    } catch (error) {
      logger.warn('dead-lettering failed; requeueing the message', { ...context, error: (error as Error).message });
      await sleep(retryDelayMs);
      this.nack(true);
      return false;
    }
  }

  private settle(action: () => void): boolean {
    if (this.settled || !this.isChannelOpen()) return false;
    this.settled = true;
    try {
      action();
      return true;
    } catch {
      return false;
    }
  }
}
