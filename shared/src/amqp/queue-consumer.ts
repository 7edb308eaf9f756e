import { EventEmitter } from 'node:events';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../logging/logger';
import type { MessageDecoder } from '../schemas/message-decoder';
import type { AmqpConnection } from './amqp-connection';
import { Delivery, DeadLetterTarget } from './delivery';

/**
 * Handles one decoded message. It settles the delivery (ack, nack, or deadLetter) when the fact
 * the message stands for is durable; it may return before that (the history batches). A handler
 * that throws has its message requeued after a pause.
 */
export type MessageHandler<T> = (message: T, delivery: Delivery, signal: AbortSignal) => Promise<void> | void;

export interface QueueConsumerOptions<T> {
  /** For logs: "dispatch", "control", "callbacks", "history". */
  name: string;
  connection: AmqpConnection;
  /** The queue, or a setup that declares it on a fresh channel and returns its name. */
  queue: string | ((channel: Channel) => Promise<string>);
  /** Unacked messages held at once; also the most handlers running at once. */
  prefetch: number;
  decode: MessageDecoder<T>;
  handle: MessageHandler<T>;
  deadLetters: Omit<DeadLetterTarget, 'logger' | 'retryDelayMs'> & { retryDelayMs?: number };
  logger: Logger;
  /** Start held: not consuming until release() (a worker whose preflight has not passed). */
  held?: boolean;
}

/**
 * The one way to consume a queue. On a confirm channel (dead letters are confirmed before the
 * original is acked), with manual acks. It subscribes whenever the connection comes up, and again
 * after the broker closes the channel or cancels the consumer; but a new subscription waits until
 * fewer than `prefetch` handlers run, so a worker with prefetch=1 never runs two tasks even when
 * its channel was taken away mid-run. Bodies are decoded first; what cannot be decoded is
 * dead-lettered. Events: `consuming`, `idle` (stopped consuming, for any reason).
 */
export class QueueConsumer<T> extends EventEmitter {
  private channel: ConfirmChannel | null = null;
  private consumerTag: string | null = null;
  private stopped = true;
  private held: boolean;
  private running = 0;
  private starting: Promise<void> | null = null;
  private resubscribeAgain = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly waiting: Delivery[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Channels whose consumer the broker cancelled; closed once no handler runs. */
  private retired: Channel[] = [];
  private readonly closedChannels = new WeakSet<Channel>();
  private readonly abort = new AbortController();
  private readonly deadLetters: DeadLetterTarget;

  constructor(private readonly options: QueueConsumerOptions<T>) {
    super();
    this.held = options.held ?? false;
    this.deadLetters = { retryDelayMs: 1000, ...options.deadLetters, logger: options.logger };
    options.connection.onConnected(async () => {
      this.forgetChannel();
      void this.resume();
    });
    options.connection.on('disconnected', () => this.forgetChannel());
  }

  /** Consumes now if connected (and not held), and again after every reconnect. */
  start(): void {
    this.stopped = false;
    void this.resume();
  }

  isConsuming(): boolean {
    return this.consumerTag !== null;
  }

  get isBusy(): boolean {
    return this.running > 0;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Stops taking deliveries until release(); those in hand go on, those not started are requeued. */
  async hold(): Promise<void> {
    this.held = true;
    await this.cancelConsumer();
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    void this.resume();
  }

  /** Stops taking new deliveries; those in hand go on, those not started are requeued. */
  async stopConsuming(): Promise<void> {
    this.stopped = true;
    await this.cancelConsumer();
  }

  /** Resolves when no handler runs. */
  whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops consuming, gives handlers `graceMs`, then aborts their signal, waits, closes the channel. */
  async close(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    await this.stopConsuming();
    if (Number.isFinite(graceMs)) await Promise.race([this.whenIdle(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    else await this.whenIdle();
    this.abort.abort();
    await this.whenIdle();
    const channel = this.channel;
    this.forgetChannel();
    await channel?.close().catch(() => undefined);
    await this.closeRetired();
  }

  private forgetChannel(): void {
    const wasConsuming = this.consumerTag !== null;
    this.channel = null;
    this.consumerTag = null;
    if (wasConsuming) this.emit('idle');
  }

  private async cancelConsumer(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const { channel, consumerTag } = this;
    this.consumerTag = null;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
    if (consumerTag) this.emit('idle');
    for (const delivery of this.waiting.splice(0)) delivery.nack(true);
  }

  private resume(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // A call while a subscription is being set up runs it again afterwards: its reason (start,
    // release, a handler that finished) may be newer than what that attempt saw.
    if (this.starting) {
      this.resubscribeAgain = true;
      return this.starting;
    }
    this.starting = (async () => {
      do {
        this.resubscribeAgain = false;
        await this.subscribe();
      } while (this.resubscribeAgain);
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async subscribe(): Promise<void> {
    const { connection, name, logger, prefetch } = this.options;
    if (this.stopped || this.held || this.running >= prefetch || this.consumerTag) return;
    const model = connection.current();
    if (!model) return;
    try {
      const channel = this.channel ?? (await this.openChannel(model));
      const queue = typeof this.options.queue === 'string' ? this.options.queue : await this.options.queue(channel);
      const isOpen = () => !this.closedChannels.has(channel);
      const { consumerTag } = await channel.consume(queue, (message) => this.onMessage(channel, queue, isOpen, message), { noAck: false });
      if (this.stopped || this.held || this.channel !== channel) {
        await channel.cancel(consumerTag).catch(() => undefined);
        return;
      }
      this.consumerTag = consumerTag;
      logger.info('consuming', { consumer: name, queue, prefetch });
      this.emit('consuming');
    } catch (error) {
      logger.warn('could not start consuming; retrying', { consumer: name, error: (error as Error).message });
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => void this.resume(), 1000);
    this.retryTimer.unref?.();
  }

  private async openChannel(model: NonNullable<ReturnType<AmqpConnection['current']>>): Promise<ConfirmChannel> {
    const { name, logger, prefetch } = this.options;
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => logger.warn('consumer channel error', { consumer: name, error: error.message }));
    channel.on('close', () => {
      this.closedChannels.add(channel);
      if (this.channel !== channel) return;
      this.forgetChannel();
      // Closed by the broker on a live connection (e.g. a precondition error): open a new one.
      if (!this.stopped) this.retryLater();
    });
    await channel.prefetch(prefetch);
    this.channel = channel;
    return channel;
  }

  private onMessage(channel: ConfirmChannel, queue: string, isOpen: () => boolean, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted, or consumer_timeout on RabbitMQ 4.3+).
      this.options.logger.warn('consumer cancelled by the broker', { consumer: this.options.name, queue });
      if (this.channel === channel) this.forgetChannel();
      this.retired.push(channel);
      if (this.running === 0) void this.closeRetired().then(() => this.resume());
      return;
    }
    const delivery = new Delivery(channel, message, queue, isOpen, this.deadLetters);
    if (this.stopped || this.held) {
      delivery.nack(true);
      return;
    }
    if (this.running >= this.options.prefetch) this.waiting.push(delivery);
    else void this.run(delivery);
  }

  private async run(delivery: Delivery): Promise<void> {
    this.running++;
    try {
      await this.handle(delivery);
    } finally {
      this.running--;
      const next = this.waiting.shift();
      if (next) void this.run(next);
      else if (this.running === 0) await this.becameIdle();
      if (!this.stopped) void this.resume();
    }
  }

  private async handle(delivery: Delivery): Promise<void> {
    const decoded = this.options.decode(delivery.message.content);
    if (!decoded.ok) {
      await delivery.deadLetter(decoded.reason, decoded.detail);
      return;
    }
    try {
      await this.options.handle(decoded.value, delivery, this.abort.signal);
    } catch (error) {
      this.options.logger.error('message handler failed; requeueing the message', { consumer: this.options.name, error: (error as Error).message, stack: (error as Error).stack });
      await new Promise((resolve) => setTimeout(resolve, this.deadLetters.retryDelayMs));
      delivery.nack(true);
    }
  }

  private async becameIdle(): Promise<void> {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    await this.closeRetired();
  }

  private async closeRetired(): Promise<void> {
    for (const channel of this.retired.splice(0)) await channel.close().catch(() => undefined);
  }
}
