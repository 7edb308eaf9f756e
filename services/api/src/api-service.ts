import os from 'node:os';
import type { Server } from 'node:http';
import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import { assertTopology, topologyNames } from '@aiopslab/shared/amqp/topology';
import { createPrismaClient, Db } from '@aiopslab/shared/db/prisma-client';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { OutboxRelay } from '@aiopslab/shared/outbox/outbox-relay';
import { createApiDeps } from './api-deps-factory';
import { createApp } from './app';
import type { ApiConfig } from './config';

export interface ApiClients {
  db: Db;
  connection: AmqpConnection;
  logger: Logger;
  close(): Promise<void>;
}

/** The api's clients, built from its config: for composition roots only. */
export function createApiClients(config: ApiConfig, logger: Logger): ApiClients {
  const db = createPrismaClient(config.DATABASE_URL);
  const connection = new AmqpConnection(config.AMQP_URL, logger, { connectionName: `api@${os.hostname()}` });
  return {
    db,
    connection,
    logger,
    close: async () => {
      await connection.close();
      await db.$disconnect();
    },
  };
}

/**
 * The REST API as a service: start() serves HTTP and starts the outbox relay and the broker
 * connection without waiting for the broker (tasks are accepted into the outbox while it is
 * down); stop() closes the server, then flushes and stops the relay.
 */
export function createApiService(clients: ApiClients, config: ApiConfig): { start(): Promise<void>; stop(): Promise<void> } {
  const { db, connection, logger } = clients;
  const topology = topologyNames(config.QUEUE_PREFIX);
  connection.onConnected(async (model) => {
    const channel = await model.createChannel();
    await assertTopology(channel, topology, config.QUEUE_TYPE);
    await channel.close();
  });
  const publisher = new ConfirmPublisher(connection);
  const relay = new OutboxRelay(db, publisher, logger);
  const app = createApp(createApiDeps({ config, db, topology, logger, relay, publisher }));
  let server: Server | null = null;
  return {
    async start() {
      void connection.start();
      relay.start();
      server = await new Promise<Server>((resolve, reject) => {
        // Express 5 hands a bind error (a taken port) to this callback instead of throwing it.
        const listening = app.listen(config.PORT, config.HOST, (error?: Error) => (error ? reject(new ListenError('api', 'PORT', config.HOST, config.PORT, error)) : resolve(listening)));
      });
      server.keepAliveTimeout = 65_000;
      logger.info('api listening', { port: config.PORT, host: config.HOST });
    },
    async stop() {
      const listening = server;
      if (listening) {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeIdleConnections();
        });
      }
      await relay.stop();
    },
  };
}
