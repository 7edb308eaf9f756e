import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { Delivery, trackOpen } from './delivery';

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

/**
 * Consumes `tasks.dispatch` with prefetch=1 and hands deliveries to the handler one at a time.
 * While a task runs, its message stays unacked (the management UI shows it as Unacked). If the
 * broker takes the channel away mid-run (consumer_timeout, a lost connection), the run goes on
 * and consuming resumes on a fresh channel only once the handler has finished, so this worker
 * never runs two tasks at once.
 */
export class DispatchConsumer {
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private busy = false;
  private stopped = false;
  /** Not consuming until released: a preflight has not passed, or the environment broke. */
  private held: boolean;
  private starting: Promise<void> | null = null;
  private queueOfDeliveries: Delivery[] = [];
  private idleWaiters: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  /** Channels whose consumer the broker cancelled; closed once their delivery is settled. */
  private retired: Channel[] = [];

  constructor(
    private readonly connection: AmqpConnection,
    private readonly queue: string,
    private readonly handler: DeliveryHandler,
    private readonly logger: Logger,
    options: { held?: boolean } = {},
  ) {
    this.held = options.held ?? false;
    connection.onConnected(async () => {
      this.channel = null;
      this.consumerTag = null;
      void this.resume();
    });
    connection.on('disconnected', () => {
      this.channel = null;
      this.consumerTag = null;
    });
  }

  get isBusy(): boolean {
    return this.busy;
  }

  get isConsuming(): boolean {
    return this.consumerTag !== null;
  }

  /** Stops taking new deliveries; the one in hand goes on. Deliveries not started are requeued. */
  async stopConsuming(): Promise<void> {
    this.stopped = true;
    await this.cancelConsumer();
  }

  private async cancelConsumer(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const { channel, consumerTag } = this;
    this.consumerTag = null;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
    for (const delivery of this.queueOfDeliveries.splice(0)) delivery.nack(true);
  }

  /**
   * Stops taking deliveries until release() (the worker is unhealthy). The delivery in hand is
   * untouched, so its handler can still requeue it, and the broker then gives it to another
   * consumer at once; deliveries not started are requeued now.
   */
  async hold(): Promise<void> {
    this.held = true;
    await this.cancelConsumer();
  }

  /** Consumes again after hold() (or a held start). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    void this.resume();
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Resolves when no delivery is being handled. */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    await this.whenIdle();
    await this.channel?.close().catch(() => undefined);
    this.channel = null;
  }

  private resume(): Promise<void> {
    this.starting ??= this.consume().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async consume(): Promise<void> {
    if (this.stopped || this.held || this.busy || this.consumerTag) return;
    const model = this.connection.current();
    if (!model) return;
    try {
      if (!this.channel) {
        const channel = await model.createChannel();
        channel.on('error', (error: Error) => this.logger.warn('dispatch channel error', { error: error.message }));
        channel.on('close', () => {
          if (this.channel === channel) {
            this.channel = null;
            this.consumerTag = null;
          }
        });
        await channel.prefetch(1);
        this.channel = channel;
      }
      const channel = this.channel;
      const isOpen = trackOpen(channel);
      const { consumerTag } = await channel.consume(this.queue, (message) => this.onMessage(channel, isOpen, message), { noAck: false });
      if (this.stopped || this.held) await channel.cancel(consumerTag).catch(() => undefined);
      else this.consumerTag = consumerTag;
    } catch (error) {
      this.logger.warn('could not start consuming dispatch messages; retrying', { error: (error as Error).message });
      this.retryTimer = setTimeout(() => void this.resume(), 1000);
    }
  }

  private onMessage(channel: Channel, isOpen: () => boolean, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted, or consumer_timeout on RabbitMQ 4.3+).
      this.logger.warn('dispatch consumer cancelled by the broker');
      this.consumerTag = null;
      if (this.channel === channel) this.channel = null;
      this.retired.push(channel);
      if (!this.busy) void this.closeRetired().then(() => this.resume());
      return;
    }
    const delivery = new Delivery(channel, message, isOpen, this.queue);
    if (this.stopped || this.held) {
      delivery.nack(true);
      return;
    }
    this.queueOfDeliveries.push(delivery);
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let next = this.queueOfDeliveries.shift(); next; next = this.queueOfDeliveries.shift()) {
        try {
          await this.handler(next);
        } catch (error) {
          this.logger.error('dispatch handler failed', { error: (error as Error).message, stack: (error as Error).stack });
          next.nack(true);
        }
      }
    } finally {
      this.busy = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      await this.closeRetired();
      if (!this.stopped) void this.resume();
    }
  }

  private async closeRetired(): Promise<void> {
    for (const channel of this.retired.splice(0)) await channel.close().catch(() => undefined);
  }
}
