import os from 'node:os';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { ConfigError } from '@aiopslab/shared/config/load-config';
import { createSqlDb } from '@aiopslab/shared/db/sql';
import { EXIT_CONFIG, EXIT_FAILURE } from '@aiopslab/shared/lifecycle/exit-codes';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import { Shutdown } from '@aiopslab/shared/lifecycle/shutdown';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { loadHistoryConfig } from './config';
import { createHistoryService } from './history-service';

/** Composition root of the status-history service: config, clients, service, shutdown. */
async function main(): Promise<void> {
  const config = loadHistoryConfig(process.env);
  const logger = createLogger('history', config.LOG_LEVEL, { format: config.LOG_FORMAT });
  const db = createSqlDb(config.DATABASE_URL, config.DB_POOL_SIZE);
  const connection = new AmqpConnection(config.AMQP_URL, logger, { connectionName: `history ${config.QUEUE_PREFIX}${os.hostname()}:${process.pid}` });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const service = createHistoryService({ db, connection, registry, logger }, config);

  const shutdown = new Shutdown(logger, config.SHUTDOWN_DEADLINE_SECONDS * 1000);
  shutdown.add('database', () => db.$disconnect());
  shutdown.add('amqp connection', () => connection.close());
  shutdown.add('history service', () => service.stop());
  shutdown.installSignalHandlers();

  await service.start();
  void connection.start();
}

main().catch((error) => {
  // A wrong setting stays wrong however often history is restarted: say so with EX_CONFIG.
  const config = error instanceof ConfigError;
  console.error(config || error instanceof ListenError ? error.message : `history service failed to start: ${(error as Error).message}`);
  process.exit(config ? EXIT_CONFIG : EXIT_FAILURE);
});
