import { once } from 'node:events';
import { topologyNames } from '../../../shared/src/amqp/topology';
import { createPrismaClient, Db } from '../../../shared/src/db/prisma-client';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { managementApi } from '../../../tests/support/test-services';
import { runVerification } from '../src/verify/run-verification';
import { claim, historyCount, metricValue, RunningHistory, startHistory, startRelay, submitTask, transition } from './support/history-harness';
import { TcpProxy } from '../../../tests/support/tcp-proxy';

/** Submits, claims and completes `count` tasks (three events each); returns their ids. */
async function runTasks(db: Db, prefix: string, count: number): Promise<string[]> {
  const topology = topologyNames(prefix);
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = await submitTask(db, topology);
      await claim(db, topology, id, `worker-${i}`);
      await transition(db, topology, id, 'completed', { notes: 'done' });
      return id;
    }),
  );
}

describe('status-history service: outages', () => {
  let env: TestEnv;
  let db: Db;
  let relay: Awaited<ReturnType<typeof startRelay>>;

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl, 6);
    relay = await startRelay(env);
  });

  afterAll(async () => {
    await relay?.stop();
    await db?.$disconnect();
    await env?.drop();
  });

  it('when the database goes away, events wait on the queue (health says so) and are all recorded once it is back', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(env.databaseUrl).port || 5432));
    await proxy.up();
    const viaProxy = new URL(env.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const history = await startHistory(env, { DATABASE_URL: viaProxy.toString(), DB_RETRY_DELAY_MS: '50', DB_RETRY_MAX_DELAY_MS: '200' });
    try {
      const before = await runTasks(db, env.queuePrefix, 5);
      await waitUntil(async () => (await historyCount(db)) === 15, 10_000, 'first tasks recorded');

      await proxy.down();
      const during = await runTasks(db, env.queuePrefix, 10);
      await waitUntil(async () => (await metricValue(history.registry, 'history_db_errors_total')) >= 3, 10_000, 'the service noticed the outage');
      const health = await fetch(`${history.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'degraded', database_status: 'down', queue_status: 'up' });
      expect(await historyCount(db)).toBe(15);

      await proxy.up();
      await waitUntil(async () => (await historyCount(db)) === 45, 15_000, 'events of the outage recorded');
      expect((await fetch(`${history.baseUrl}/health`)).status).toBe(200);
      const report = await runVerification(db, { taskIds: [...before, ...during] }, 0);
      expect(report.summary).toMatchObject({ tasks_checked: 15, gaps: 0, duplicates: 0, inconsistencies: 0, ok: true });
    } finally {
      await history.stop();
      await proxy.down();
    }
  });

  it('when the broker drops the connection, the service reconnects and goes on recording', async () => {
    const history = await startHistory(env);
    try {
      const start = await historyCount(db);
      const first = await runTasks(db, env.queuePrefix, 3);
      await waitUntil(async () => (await historyCount(db)) === start + 9, 10_000, 'recorded before the drop');

      const name = `history ${env.queuePrefix}@`; // history-clients.ts: history <prefix>@<host>:<pid>
      let connections: { name: string; client_properties?: { connection_name?: string } }[] = [];
      await waitUntil(
        async () => {
          connections = (await (await managementApi('/api/connections?columns=name,client_properties')).json()) as typeof connections;
          return connections.some((c) => c.client_properties?.connection_name?.startsWith(name));
        },
        15_000,
        'the service connection listed by the management API',
      );
      const dropped = once(history.service.consumer, 'idle');
      for (const connection of connections.filter((c) => c.client_properties?.connection_name?.startsWith(name))) {
        await managementApi(`/api/connections/${encodeURIComponent(connection.name)}`, { method: 'DELETE', headers: { 'X-Reason': 'history test: forced close' } });
      }
      await dropped;
      const second = await runTasks(db, env.queuePrefix, 3);
      await waitUntil(() => history.service.consumer.isConsuming(), 10_000, 'consuming again');
      await waitUntil(async () => (await historyCount(db)) === start + 18, 10_000, 'recorded after the reconnect');
      const report = await runVerification(db, { taskIds: [...first, ...second] }, 0);
      expect(report.summary).toMatchObject({ gaps: 0, duplicates: 0, ok: true });
    } finally {
      await history.stop();
    }
  });
});
