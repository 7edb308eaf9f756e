import type { Registry } from 'prom-client';
import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import type { QueueConsumer } from '@aiopslab/shared/amqp/queue-consumer';
import { topologyNames } from '@aiopslab/shared/amqp/topology';
import type { SqlDb } from '@aiopslab/shared/db/sql';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { HistoryConfig } from './config';
import { insertStatusHistory } from './data/status-history-writer';
import { createHealthServer } from './http/health-server';
import { createHistoryMetrics, HistoryMetrics } from './http/history-metrics';
import { createReadyFile } from './lifecycle/ready-file';
import { createHistoryConsumer } from './messaging/history-consumer';
import { DeliveryProcessor } from './messaging/process-deliveries';

export interface HistoryServiceDeps {
  config: HistoryConfig;
  db: SqlDb;
  /** Started by the caller after start(); closed by the caller after stop(). */
  connection: AmqpConnection;
  registry: Registry;
  logger: Logger;
}

export interface HistoryService {
  readonly consumer: QueueConsumer<TaskEvent>;
  readonly metrics: HistoryMetrics;
  /** Listens for /health and /metrics and subscribes whenever the connection is up; returns the port. */
  start(): Promise<number>;
  /** Stops consuming, records the deliveries already received, closes the HTTP server. */
  stop(): Promise<void>;
}

/** Wires the status-history service from clients built by the caller (main.ts or a test). */
export function createHistoryService({ config, db, connection, registry, logger }: HistoryServiceDeps): HistoryService {
  const topology = topologyNames(config.QUEUE_PREFIX);
  const metrics = createHistoryMetrics(registry);
  const processor = new DeliveryProcessor({
    write: (events) => insertStatusHistory(db, events),
    metrics,
    logger,
    retry: { baseMs: config.DB_RETRY_DELAY_MS, maxMs: config.DB_RETRY_MAX_DELAY_MS },
  });
  const history = createHistoryConsumer({
    connection,
    topology,
    queueType: config.QUEUE_TYPE,
    prefetch: config.PREFETCH,
    batchSize: config.BATCH_SIZE,
    batchWaitMs: config.BATCH_WAIT_MS,
    retryDelayMs: config.DB_RETRY_DELAY_MS,
    handleBatch: processor.process,
    metrics,
    logger,
  });
  const { consumer } = history;
  const readyFile = createReadyFile(config.READY_FILE, logger);
  consumer.on('consuming', () => void readyFile.mark());
  consumer.on('idle', () => void readyFile.clear());
  const health = createHealthServer(
    { database: async () => (await db.$queryRaw`SELECT 1`, true), queue: () => consumer.isConsuming() },
    registry,
    logger,
  );

  return {
    consumer,
    metrics,
    async start() {
      const port = await health.listen(config.HEALTH_PORT, config.HEALTH_HOST).catch((error: unknown) => {
        throw new ListenError('history service health server', 'HEALTH_PORT', config.HEALTH_HOST, config.HEALTH_PORT, error);
      });
      logger.info('health server listening', { port, host: config.HEALTH_HOST });
      consumer.start();
      return port;
    },
    async stop() {
      processor.stopRetrying(); // a batch the database refuses now goes back to the queue
      await history.stop();
      await readyFile.clear();
      await health.close();
    },
  };
}
