import type { Registry } from 'prom-client';
import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import type { QueueConsumer } from '@aiopslab/shared/amqp/queue-consumer';
import { topologyNames } from '@aiopslab/shared/amqp/topology';
import type { SqlDb } from '@aiopslab/shared/db/sql';
import { createHealthServer, dependencyHealth, HealthReport, probeDatabase } from '@aiopslab/shared/http/health-server';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { HistoryConfig } from './config';
import { insertStatusHistory } from '@aiopslab/shared/tables/status-history';
import { createHistoryMetrics, HistoryMetrics } from './http/history-metrics';
import { createReadyFile } from './lifecycle/ready-file';
import { createHistoryConsumer } from './messaging/history-consumer';
import { DeliveryProcessor } from './messaging/process-deliveries';

/** What main.ts (or a test) builds and owns: started before, closed after the service. */
export interface HistoryClients {
  db: SqlDb;
  /** Started by start(); closed by close() after stop(). */
  connection: AmqpConnection;
  registry: Registry;
  logger: Logger;
  close(): Promise<void>;
}

export interface HistoryService {
  readonly consumer: QueueConsumer<TaskEvent>;
  readonly metrics: HistoryMetrics;
  /** The port of /health and /metrics, once started. */
  readonly healthPort: number | null;
  /** Listens for /health and /metrics, then connects and subscribes whenever the connection is up. */
  start(): Promise<void>;
  /** Stops consuming, records the deliveries already received, closes the HTTP server. */
  stop(): Promise<void>;
  health(): Promise<HealthReport>;
}

/** Wires the status-history service from clients built by the caller (main.ts or a test). */
export function createHistoryService({ db, connection, registry, logger }: HistoryClients, config: HistoryConfig): HistoryService {
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

  const health = async (): Promise<HealthReport> => {
    const database = await probeDatabase(db);
    const queue = consumer.isConsuming() ? 'up' : 'down';
    return { status: dependencyHealth(database, queue), service: 'history', database_status: database, queue_status: queue };
  };
  const server = createHealthServer('history', health, registry, logger);

  let healthPort: number | null = null;
  return {
    consumer,
    metrics,
    health,
    get healthPort() {
      return healthPort;
    },
    async start() {
      healthPort = await server.listen(config.HEALTH_PORT, config.HEALTH_HOST);
      logger.info('health server listening', { port: healthPort, host: config.HEALTH_HOST });
      consumer.start();
      void connection.start();
    },
    async stop() {
      processor.stopRetrying(); // a batch the database refuses now goes back to the queue
      await history.stop();
      await readyFile.clear();
      await server.close();
    },
  };
}
