import os from 'node:os';
import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import { assertTopology, topologyNames } from '@aiopslab/shared/amqp/topology';
import { ConfigError } from '@aiopslab/shared/config/load-config';
import { createPrismaClient } from '@aiopslab/shared/db/prisma-client';
import { EXIT_CONFIG, EXIT_FAILURE } from '@aiopslab/shared/lifecycle/exit-codes';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import { Shutdown } from '@aiopslab/shared/lifecycle/shutdown';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { OutboxRelay } from '@aiopslab/shared/outbox/outbox-relay';
import { createApp } from './app';
import { loadApiConfig } from './config';
import { createApiDeps } from './api-deps-factory';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const logger = createLogger('api', config.LOG_LEVEL, { format: config.LOG_FORMAT });
  const topology = topologyNames(config.QUEUE_PREFIX);
  const db = createPrismaClient(config.DATABASE_URL);
  const amqp = new AmqpConnection(config.AMQP_URL, logger, { connectionName: `api@${os.hostname()}` });
  amqp.onConnected(async (connection) => {
    const channel = await connection.createChannel();
    await assertTopology(channel, topology, config.QUEUE_TYPE);
    await channel.close();
  });
  const publisher = new ConfirmPublisher(amqp);
  const relay = new OutboxRelay(db, publisher, logger);
  const app = createApp(createApiDeps({ config, db, topology, logger, relay, publisher }));

  const shutdown = new Shutdown(logger, config.SHUTDOWN_DEADLINE_SECONDS * 1000);
  shutdown.add('database', () => db.$disconnect());
  shutdown.add('amqp', () => amqp.close());
  shutdown.add('outbox relay', () => relay.stop());
  void amqp.start(); // the API serves (and accepts tasks into the outbox) while the broker is down
  relay.start();
  // Express 5 hands a bind error (a taken port) to this callback instead of throwing it.
  const server = app.listen(config.PORT, config.HOST, (error?: Error) => {
    if (!error) return logger.info('api listening', { port: config.PORT, host: config.HOST });
    const refusal = new ListenError('api', 'PORT', config.HOST, config.PORT, error);
    logger.error('api cannot listen', { error: refusal.message });
    console.error(refusal.message);
    process.exit(1);
  });
  server.keepAliveTimeout = 65_000;
  shutdown.add('http server', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  }));
  shutdown.installSignalHandlers();
}

main().catch((error) => {
  // A wrong setting stays wrong however often the api is restarted: say so with EX_CONFIG.
  const config = error instanceof ConfigError;
  console.error(config ? error.message : `api failed to start: ${(error as Error).stack}`);
  process.exit(config ? EXIT_CONFIG : EXIT_FAILURE);
});
