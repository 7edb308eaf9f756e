import os from 'node:os';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { createSqlDb } from '@aiopslab/shared/db/sql';
import { sqlDbOptions } from '@aiopslab/shared/db/database-env';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { HistoryConfig } from './config';
import type { HistoryClients } from './history-service';

/** The history service's clients, built from its config: for composition roots only. */
export function createHistoryClients(config: HistoryConfig, logger: Logger, options: { defaultMetrics?: boolean; maxReconnectDelayMs?: number } = {}): HistoryClients {
  const db = createSqlDb(config.DATABASE_URL, config.DB_POOL_SIZE, sqlDbOptions(config));
  const connection = new AmqpConnection(config.AMQP_URL, logger, { connectionName: `history ${config.QUEUE_PREFIX}@${os.hostname()}:${process.pid}`, maxDelayMs: options.maxReconnectDelayMs });
  const registry = new Registry();
  if (options.defaultMetrics ?? false) collectDefaultMetrics({ register: registry });
  return {
    db,
    connection,
    registry,
    logger,
    close: async () => {
      await connection.close();
      await db.$disconnect();
    },
  };
}
