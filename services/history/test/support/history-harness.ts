import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { AmqpConnection } from '../../../../shared/src/amqp/amqp-connection';
import { ConfirmPublisher } from '../../../../shared/src/amqp/confirm-publisher';
import { assertTopology, Topology, topologyNames } from '../../../../shared/src/amqp/topology';
import { createPrismaClient, Db } from '../../../../shared/src/db/prisma-client';
import { createSqlDb, SqlDb } from '../../../../shared/src/db/sql';
import { createTaskStore } from '../../../../shared/src/task-store/task-store';
import type { TransitionRequest } from '../../../../shared/src/task-store/transition-request';
import { buildTaskEvent } from '../../../../shared/src/domain/task-event';
import type { TaskStatus } from '../../../../shared/src/domain/task-status';
import { createLogger } from '../../../../shared/src/logging/logger';
import { enqueueOutbox } from '../../../../shared/src/tables/outbox';
import { OutboxRelay } from '../../../../shared/src/outbox/outbox-relay';
import { MESSAGE_TYPES } from '../../../../shared/src/schemas/messages';
import { waitUntil } from '../../../../tests/support/amqp-helpers';
import { insertTask } from '../../../../tests/support/builders';
import type { TestEnv } from '../../../../tests/support/test-env';
import { loadHistoryConfig } from '../../src/config';
import { createHistoryService, HistoryService } from '../../src/history-service';
import { createHistoryClients } from '../../src/history-clients';
import { testDispatch } from '../../../../tests/support/test-dispatch';

export const silentLogger = createLogger('history-test', 'error', true);

export interface RunningHistory {
  service: HistoryService;
  db: SqlDb;
  connection: AmqpConnection;
  registry: Registry;
  port: number;
  baseUrl: string;
  stop(): Promise<void>;
}

/** The history service in this process, against the test's database and queue prefix. */
export async function startHistory(env: TestEnv, overrides: Record<string, string> = {}): Promise<RunningHistory> {
  const config = loadHistoryConfig({ ...env.env, HEALTH_PORT: '0', HEALTH_HOST: '127.0.0.1', ...overrides });
  // The service's own clients, as main.ts builds them (node-postgres, not Prisma).
  const clients = createHistoryClients(config, silentLogger, { maxReconnectDelayMs: 500 });
  const { db, connection, registry } = clients;
  const service = createHistoryService(clients, config);
  await service.start();
  const port = service.healthPort!;
  await waitUntil(() => service.consumer.isConsuming(), 10_000, 'history consumer subscribed');
  return {
    service,
    db,
    connection,
    registry,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      await service.stop();
      await clients.close();
    },
  };
}

/** An outbox relay publishing what transitions commit (the api and worker run one each). */
export async function startRelay(env: TestEnv): Promise<{ relay: OutboxRelay; stop(): Promise<void> }> {
  const db = createPrismaClient(env.databaseUrl, 3);
  const connection = new AmqpConnection(env.amqpUrl, silentLogger, { connectionName: `history-test relay ${env.queuePrefix}` });
  const topology = topologyNames(env.queuePrefix);
  connection.onConnected(async (model) => {
    const channel = await model.createChannel();
    await assertTopology(channel, topology);
    await channel.close();
  });
  const publisher = new ConfirmPublisher(connection);
  void connection.start();
  await connection.waitUntilConnected(5000);
  await waitUntil(() => publisher.isReady(), 5000, 'relay publisher ready');
  const relay = new OutboxRelay(db, publisher, silentLogger, { pollIntervalMs: 100 });
  relay.start();
  return {
    relay,
    stop: async () => {
      await relay.stop();
      await connection.close();
      await db.$disconnect();
    },
  };
}

/** What the api's submit does: the task row and its `null → pending` event in one transaction. */
export async function submitTask(db: Db, topology: Topology, notes = 'submitted'): Promise<string> {
  const id = randomUUID();
  await db.$transaction(async (tx) => {
    await insertTask(tx as unknown as Db, { id });
    const event = buildTaskEvent({ taskId: id, from: null, to: 'pending', attempt: 0, workerId: null, notes });
    await enqueueOutbox(tx, [{ exchange: topology.exchanges.events, routingKey: topology.eventRoutingKey('pending'), type: MESSAGE_TYPES.transition, payload: event, messageId: event.event_id }]);
  });
  return id;
}

/** A transition as the task store writes it, left to the relay of startRelay to publish. */
export function transition(db: Db, topology: Topology, taskId: string, to: TaskStatus, request: Partial<TransitionRequest> = {}) {
  const tasks = createTaskStore({ db, topology, dispatch: testDispatch, outbox: { committed: () => undefined } });
  return tasks.inTransaction((tx) => tx.transition({ taskId, to, notes: `${to}`, ...request }));
}

/** A worker's claim: pending|retrying → processing with the next attempt. */
export function claim(db: Db, topology: Topology, taskId: string, workerId: string) {
  return transition(db, topology, taskId, 'processing', {
    from: ['pending', 'retrying'],
    data: { attempt: { increment: 1 }, workerId, startedAt: new Date() },
    notes: `claimed by ${workerId}`,
  });
}

export async function historyCount(db: Db, taskId?: string): Promise<number> {
  return db.statusHistory.count({ where: taskId ? { taskId } : {} });
}

/** A counter or histogram count from the service's registry. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number>; metricName?: string }[];
  const match = values.find((v) => (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) && Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return match?.value ?? 0;
}
