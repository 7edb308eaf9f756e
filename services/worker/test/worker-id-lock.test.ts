import { createSqlDb } from '../../../shared/src/db/sql';
import { createLogger } from '../../../shared/src/logging/logger';
import { TcpProxy } from '../../../tests/support/tcp-proxy';
import { WorkerIdLock, WorkerIdTakenError } from '../src/presence/worker-id-lock';
import { WorkerHarness } from './support/worker-harness';

/**
 * The WORKER_ID lock across a database outage (a proxy in front of PostgreSQL taken down): the
 * lock goes with the connection, the worker takes it again once the database is back, and a
 * second worker with the same id is still refused.
 */
const logger = createLogger('test', 'error', true);
let h: WorkerHarness;
let proxy: TcpProxy;

beforeAll(async () => {
  h = await WorkerHarness.create();
  const target = new URL(h.env.databaseUrl);
  proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.up();
});
afterAll(async () => {
  await h.close();
  await proxy.down();
});

const lockHeld = async (id: string) => {
  const rows = await h.db.$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 4243 AND objid::bigint = (hashtext($1)::bigint & 4294967295) AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    id,
  );
  return Number(rows[0].n) === 1;
};

test('after the database comes back the worker holds its id again, and a twin is refused', async () => {
  const viaProxy = new URL(h.env.databaseUrl);
  viaProxy.port = String(proxy.port);
  await h.startWorker('lock-1', { env: { DATABASE_URL: viaProxy.toString() } });
  expect(await lockHeld('lock-1')).toBe(true);

  await proxy.down();
  for (let tries = 0; tries < 100 && (await lockHeld('lock-1')); tries++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await lockHeld('lock-1')).toBe(false); // the session ended, and its lock with it
  await proxy.up();
  for (let tries = 0; tries < 200 && !(await lockHeld('lock-1')); tries++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await lockHeld('lock-1')).toBe(true);

  const sql = createSqlDb(h.env.databaseUrl, 1);
  const twin = new WorkerIdLock(h.env.databaseUrl, 'lock-1', sql, logger);
  await expect(twin.acquire()).rejects.toBeInstanceOf(WorkerIdTakenError);
  await twin.release();
  await sql.$disconnect();
}, 60_000);
