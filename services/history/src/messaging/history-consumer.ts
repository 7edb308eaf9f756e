import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { assertTopology, QueueType, Topology } from '@aiopslab/shared/amqp/topology';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { Batcher } from './batcher';
import type { Delivery } from './process-deliveries';

export interface HistoryConsumerOptions {
  connection: AmqpConnection;
  topology: Topology;
  queueType: QueueType;
  prefetch: number;
  batchSize: number;
  batchWaitMs: number;
  handleBatch: (batch: Delivery[]) => Promise<void>;
  logger: Logger;
}

/**
 * Consumes `status-history` on a confirm channel (dead letters are published on it, so they are
 * confirmed before the original is acked) and feeds the deliveries to a batcher. After every
 * reconnect it declares the topology and subscribes again; deliveries of a dead channel are
 * dropped unsettled, because the broker has already put them back. Events: `consuming`, `idle`.
 */
export class HistoryConsumer extends EventEmitter {
  private channel: ConfirmChannel | null = null;
  private consumerTag: string | null = null;
  private stopped = false;
  private readonly batcher: Batcher<Delivery>;
  private readonly closedChannels = new WeakSet<ConfirmChannel>();

  constructor(private readonly options: HistoryConsumerOptions) {
    super();
    this.batcher = new Batcher<Delivery>({ maxSize: options.batchSize, maxWaitMs: options.batchWaitMs }, options.handleBatch, (error, batch) => {
      // A bug, not an outage: close the channel so the broker takes its unacked messages back
      // (and the connection reconnects), rather than leaving them stuck against the prefetch.
      options.logger.error('batch handler failed; returning its messages to the queue', { error: (error as Error).message, stack: (error as Error).stack });
      for (const channel of new Set(batch.map((delivery) => delivery.channel))) void channel.close().catch(() => undefined);
    });
  }

  /** Subscribes now if connected, and again after every reconnect. */
  start(): void {
    this.stopped = false;
    this.options.connection.onConnected((model) => this.subscribe(model));
  }

  /** Whether deliveries of this channel can still be acked (its channel has not closed). */
  isOpen(channel: ConfirmChannel): boolean {
    return !this.closedChannels.has(channel);
  }

  isConsuming(): boolean {
    return this.channel !== null && this.consumerTag !== null;
  }

  /** Stops taking deliveries, records what was already delivered, then closes the channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    const channel = this.channel;
    const tag = this.consumerTag;
    this.consumerTag = null;
    if (channel && tag) await channel.cancel(tag).catch(() => undefined);
    await this.batcher.drain();
    this.channel = null;
    if (channel) await channel.close().catch(() => undefined);
    this.emit('idle');
  }

  private async subscribe(model: ChannelModel): Promise<void> {
    if (this.stopped) return;
    const { topology, logger } = this.options;
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => logger.warn('history channel error', { error: error.message }));
    channel.on('close', () => this.onChannelClosed(channel));
    await assertTopology(channel, topology, this.options.queueType);
    await channel.prefetch(this.options.prefetch);
    const { consumerTag } = await channel.consume(topology.queues.history, (message) => {
      if (message) this.batcher.add({ channel, message, receivedAt: performance.now() });
      else this.onChannelClosed(channel); // cancelled by the broker (queue deleted)
    });
    if (this.stopped) {
      // stop() ran while this subscription was being set up: undo it.
      await channel.close().catch(() => undefined);
      return;
    }
    this.channel = channel;
    this.consumerTag = consumerTag;
    logger.info('consuming task events', { queue: topology.queues.history, prefetch: this.options.prefetch, batch_size: this.options.batchSize });
    this.emit('consuming');
  }

  private onChannelClosed(channel: ConfirmChannel): void {
    this.closedChannels.add(channel);
    const dropped = this.batcher.discard((delivery) => delivery.channel === channel);
    if (this.channel !== channel) return;
    this.channel = null;
    this.consumerTag = null;
    if (!this.stopped) {
      this.options.logger.warn('history channel closed; waiting for the connection to come back', { unsettled_dropped: dropped });
      this.emit('idle');
    }
    // A channel closed by the broker on a live connection (e.g. a precondition error) is not
    // reopened by the connection's reconnect; close the connection so that it reconnects.
    const model = this.options.connection.current();
    if (!this.stopped && model) void model.close().catch(() => undefined);
  }
}
