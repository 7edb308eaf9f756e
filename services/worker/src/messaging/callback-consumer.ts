import type { Channel } from 'amqplib';
import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { createAjv, createValidator } from '@aiopslab/shared/schemas/validator';
import { TaskEvent, taskEventSchema } from '@aiopslab/shared/schemas/messages';
import type { DeadLetterPublisher } from './dead-letter-publisher';
import { Delivery, trackOpen } from './delivery';

export type CallbackEventHandler = (event: TaskEvent, signal: AbortSignal) => Promise<'done' | 'aborted'>;

/** Callbacks are slow network calls to strangers: a few run side by side. */
const CONCURRENT_CALLBACKS = 4;

/**
 * Consumes `task.callbacks` (the terminal events of every path that ends a task) and hands each
 * to the callback use case. On shutdown, deliveries in flight are aborted and requeued for
 * another worker.
 */
export class CallbackConsumer {
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly validate = createValidator<TaskEvent>(createAjv(), taskEventSchema, 'task event');

  constructor(
    connection: AmqpConnection,
    private readonly queue: string,
    private readonly handler: CallbackEventHandler,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly logger: Logger,
  ) {
    connection.onConnected(async (model) => {
      if (this.abort.signal.aborted) return;
      const channel = await model.createChannel();
      channel.on('error', (error: Error) => this.logger.warn('callback channel error', { error: error.message }));
      await channel.prefetch(CONCURRENT_CALLBACKS);
      const isOpen = trackOpen(channel);
      const { consumerTag } = await channel.consume(queue, (message) => message && this.track(this.handle(new Delivery(channel, message, isOpen, queue))), { noAck: false });
      this.channel = channel;
      this.consumerTag = consumerTag;
    });
  }

  /** Stops consuming, gives deliveries in flight `graceMs`, then aborts and requeues them. */
  async close(graceMs: number): Promise<void> {
    const { channel, consumerTag } = this;
    this.consumerTag = null;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
    const settled = Promise.all([...this.inFlight]);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.abort.abort();
    await settled;
    await channel?.close().catch(() => undefined);
    this.channel = null;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async handle(delivery: Delivery): Promise<void> {
    let event: TaskEvent;
    try {
      event = this.validate(JSON.parse(delivery.message.content.toString('utf8')));
    } catch (error) {
      await this.deadLetters.deadLetter(delivery, `invalid task event: ${(error as Error).message}`);
      return;
    }
    try {
      const outcome = await this.handler(event, this.abort.signal);
      if (outcome === 'aborted') delivery.nack(true);
      else delivery.ack();
    } catch (error) {
      this.logger.error('callback handling failed; requeueing', { task_id: event.task_id, error: (error as Error).message });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      delivery.nack(true);
    }
  }
}
