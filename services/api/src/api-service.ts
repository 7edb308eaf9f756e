import os from 'node:os';
import type { Server } from 'node:http';
import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import { assertTopology, topologyNames } from '@aiopslab/shared/amqp/topology';
import { createPrismaClient, Db } from '@aiopslab/shared/db/prisma-client';
import { sqlDbOptions } from '@aiopslab/shared/db/database-env';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { OutboxRelay } from '@aiopslab/shared/outbox/outbox-relay';
import { createApiDeps } from './api-deps-factory';
import { createApp } from './app';
import type { ApiConfig } from './config';
import { RunReconciler } from './runs/run-reconciler';

export interface ApiClients {
  db: Db;
  connection: AmqpConnection;
  logger: Logger;
  close(): Promise<void>;
}

/** The api's clients, built from its config: for composition roots only. */
export function createApiClients(config: ApiConfig, logger: Logger): ApiClients {
  const db = createPrismaClient(config.DATABASE_URL, undefined, sqlDbOptions(config));
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
  const deps = createApiDeps({ config, db, topology, logger, relay, publisher });
  const app = createApp(deps);
  const reconciler = new RunReconciler({ db, tasks: deps.tasks, prices: config.PRICES, logger }, { intervalMs: config.RUN_RECONCILE_INTERVAL_MS, windowSeconds: 86_400, batch: 50 });
  let server: Server | null = null;
  return {
    async start() {
      void connection.start();
      relay.start();
      if (config.RUN_RECONCILE_INTERVAL_MS > 0) reconciler.start();
      server = await new Promise<Server>((resolve, reject) => {
        // Express 5 hands a bind error (a taken port) to this callback instead of throwing it.
        const listening = app.listen(config.PORT, config.HOST, (error?: Error) => (error ? reject(new ListenError('api', 'PORT', config.HOST, config.PORT, error)) : resolve(listening)));
      });
      server.keepAliveTimeout = 65_000;
      logger.info('api listening', { port: config.PORT, host: config.HOST });
    },
    async stop() {
      await reconciler.stop();
      const listening = server;
      if (listening) {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeIdleConnections();
        });
      }
      await deps.tasks.dispatcher.idle();
      await relay.stop();
    },
  };
}
