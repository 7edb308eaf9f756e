import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { QueueConsumer } from '@aiopslab/shared/amqp/queue-consumer';
import { assertTopology, QueueType, Topology } from '@aiopslab/shared/amqp/topology';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { createMessageDecoder } from '@aiopslab/shared/schemas/message-decoder';
import { TaskEvent, taskEventSchema } from '@aiopslab/shared/schemas/messages';
import type { HistoryMetrics } from '../http/history-metrics';
import { Batcher } from './batcher';
import type { ReceivedEvent } from './process-deliveries';

export interface HistoryConsumerOptions {
  connection: AmqpConnection;
  topology: Topology;
  queueType: QueueType;
  prefetch: number;
  batchSize: number;
  batchWaitMs: number;
  retryDelayMs: number;
  handleBatch: (batch: ReceivedEvent[]) => Promise<void>;
  metrics: HistoryMetrics;
  logger: Logger;
}

export interface HistoryConsumer {
  readonly consumer: QueueConsumer<TaskEvent>;
  /** Stops taking deliveries, records what was already delivered, then closes the channel. */
  stop(): Promise<void>;
}

/**
 * Consumes `status-history` (declaring the topology on every new channel) and feeds the decoded
 * events to a batcher ("group commit"). Events of a channel that closed are dropped unsettled:
 * the broker has already put them back.
 */
export function createHistoryConsumer(options: HistoryConsumerOptions): HistoryConsumer {
  const { topology, logger } = options;
  const batcher = new Batcher<ReceivedEvent>({ maxSize: options.batchSize, maxWaitMs: options.batchWaitMs }, options.handleBatch, (error, batch) => {
    // A bug, not an outage: hand the batch back rather than leave it stuck against the prefetch.
    logger.error('batch handler failed; returning its messages to the queue', { error: (error as Error).message, stack: (error as Error).stack });
    for (const { delivery } of batch) delivery.nack(true);
  });
  const consumer = new QueueConsumer<TaskEvent>({
    name: 'history',
    connection: options.connection,
    queue: async (channel) => {
      await assertTopology(channel, topology, options.queueType);
      return topology.queues.history;
    },
    prefetch: options.prefetch,
    decode: createMessageDecoder<TaskEvent>(taskEventSchema, 'task event'),
    handle: (event, delivery) => batcher.add({ delivery, event }),
    deadLetters: { exchange: topology.exchanges.dead, by: 'status-history', retryDelayMs: options.retryDelayMs, onDeadLettered: (reason) => options.metrics.deadLettered.inc({ reason }) },
    logger,
  });
  consumer.on('idle', () => {
    const dropped = batcher.discard(({ delivery }) => !delivery.channelOpen);
    if (dropped > 0) logger.warn('history channel closed; its unsettled events go back to the queue', { unsettled_dropped: dropped });
  });
  return {
    consumer,
    async stop() {
      await consumer.stopConsuming();
      await batcher.drain();
      await consumer.close();
    },
  };
}
