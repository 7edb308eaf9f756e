import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import { assertTopology, Topology, topologyNames } from '@aiopslab/shared/amqp/topology';
import { createPrismaClient, Db } from '@aiopslab/shared/db/prisma-client';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { OutboxRelay } from '@aiopslab/shared/outbox/outbox-relay';
import type { Express } from 'express';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';
import { createApp } from '../src/app';
import { ApiConfig, loadApiConfig } from '../src/config';
import { createApiDeps } from '../src/api-deps-factory';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';

export interface ApiHarness {
  env: TestEnv;
  app: Express;
  db: Db;
  topology: Topology;
  relay: OutboxRelay;
  amqp: AmqpConnection;
  /** The api's task store (for use cases a test calls directly, e.g. the run reconciler). */
  tasks: TaskStore;
  close(): Promise<void>;
}

/** The API app over a fresh database and queue prefix, with a real broker and outbox relay. */
export async function startApiHarness(overrides: Record<string, string> = {}, options: { amqpUrl?: string; databaseUrl?: string } = {}): Promise<ApiHarness> {
  const env = await createTestEnv();
  const config: Readonly<ApiConfig> = loadApiConfig({ ...env.env, ...overrides });
  const logger = createLogger('api-test', 'error', true);
  const topology = topologyNames(config.QUEUE_PREFIX);
  const db = createPrismaClient(options.databaseUrl ?? env.databaseUrl);
  const amqp = new AmqpConnection(options.amqpUrl ?? env.amqpUrl, logger, { connectionName: 'api-test', maxDelayMs: 200 });
  amqp.onConnected(async (connection) => {
    const channel = await connection.createChannel();
    await assertTopology(channel, topology);
    await channel.close();
  });
  const publisher = new ConfirmPublisher(amqp);
  const relay = new OutboxRelay(db, publisher, logger, { pollIntervalMs: 100 });
  if (!options.amqpUrl) {
    await amqp.start();
    await amqp.waitUntilConnected(5000);
  } else {
    void amqp.start();
  }
  if (!options.databaseUrl) relay.start();
  const deps = createApiDeps({ config, db, topology, logger, relay, publisher, logPollMs: 50 });
  const app = createApp(deps);
  return {
    env,
    app,
    db,
    topology,
    relay,
    amqp,
    tasks: deps.tasks,
    close: async () => {
      await relay.stop();
      await amqp.close();
      await db.$disconnect();
      await env.drop();
    },
  };
}

export const PROBLEM = 'k8s_target_port-misconfig-detection-1';
/** A scripted agent (no LLM, no cost): POST /tasks requires agent_config. */
export const AGENT = { kind: 'scripted', actions: ['submit("Yes")'] };
