import { createSqlDb, PgSql } from '../../../shared/src/db/sql';
import { createLogger } from '../../../shared/src/logging/logger';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { TcpProxy } from '../../../tests/support/tcp-proxy';
import { WorkerActivity } from '../src/presence/worker-activity';
import { WorkerIdTakenError, holderIsDead, newHolderToken } from '../src/presence/worker-id-holder';
import { WorkerPresence } from '../src/presence/worker-presence';
import { WorkerHarness } from './support/worker-harness';

/**
 * The WORKER_ID lease (workers.holder, renewed by each heartbeat): a twin is refused while the
 * holder lives, also across a database outage; a holder silent past WORKER_STALE_SECONDS loses
 * the id, and notices at its next heartbeat that it was taken over and stops consuming.
 */
const logger = createLogger('test', 'error', true);
let h: WorkerHarness;
let proxy: TcpProxy;
let sql: PgSql;

beforeAll(async () => {
  h = await WorkerHarness.create();
  const target = new URL(h.env.databaseUrl);
  proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.up();
  sql = createSqlDb(h.env.databaseUrl, 1);
});
afterAll(async () => {
  await sql.$disconnect();
  await h.close();
  await proxy.down();
});

const twin = (id: string, staleMs = 5000) =>
  new WorkerPresence(sql, { id, hostname: 'test-host', backend: 'none', version: 'test' }, new WorkerActivity(), { intervalMs: 60_000, staleMs, onTakenOver: () => undefined }, logger);
const holderOf = async (id: string) => (await h.db.worker.findUniqueOrThrow({ where: { id } })).holder;

test('after the database comes back the worker still holds its id, and a twin is refused, naming it', async () => {
  const viaProxy = new URL(h.env.databaseUrl);
  viaProxy.port = String(proxy.port);
  await h.startWorker('lease-id-1', { env: { DATABASE_URL: viaProxy.toString() } });
  const holder = await holderOf('lease-id-1');
  expect(holder).toMatch(/^test-host\/\d+\//);

  await proxy.down();
  await proxy.up();
  const before = (await h.db.worker.findUniqueOrThrow({ where: { id: 'lease-id-1' } })).lastHeartbeatAt;
  await waitUntil(async () => (await h.db.worker.findUniqueOrThrow({ where: { id: 'lease-id-1' } })).lastHeartbeatAt > before, 10_000, 'heartbeats again');
  expect(await holderOf('lease-id-1')).toBe(holder);

  const refused = twin('lease-id-1').register();
  await expect(refused).rejects.toBeInstanceOf(WorkerIdTakenError);
  await expect(refused).rejects.toThrow(/WORKER_ID lease-id-1 is held by a running worker \(on host test-host, last heartbeat .*, status idle\)/);
}, 60_000);

test('a holder silent past the stale window loses its id; at its next heartbeat it stops consuming', async () => {
  const first = await h.startWorker('lease-id-2', { env: { HEARTBEAT_INTERVAL_SECONDS: '0.5', WORKER_STALE_SECONDS: '60' } });
  // As if the first had stalled (SIGSTOP, a frozen VM) for longer than WORKER_STALE_SECONDS.
  await h.db.$executeRaw`UPDATE workers SET last_heartbeat_at = now() - interval '2 minutes' WHERE id = 'lease-id-2'`;
  const taker = twin('lease-id-2', 60_000);
  await taker.register();
  expect(await holderOf('lease-id-2')).toBe(taker.holder);
  await waitUntil(() => !first.isConsuming, 10_000, 'the taken-over worker stops consuming');
  expect(await holderOf('lease-id-2')).toBe(taker.holder); // its heartbeats no longer touch the row
  await taker.stop();
  expect(await h.db.worker.findUniqueOrThrow({ where: { id: 'lease-id-2' } })).toMatchObject({ status: 'offline', holder: null });
}, 60_000);

test('a holder on this host whose process is gone is dead; one elsewhere, or alive, is judged by its lease', () => {
  const alive = (pid: number) => pid === 4242;
  expect(holderIsDead('test-host/4243/abcd1234/x', 'test-host', alive)).toBe(true);
  expect(holderIsDead('test-host/4242/abcd1234/x', 'test-host', alive)).toBe(false);
  expect(holderIsDead('other-host/4243/abcd1234/x', 'test-host', alive)).toBe(false);
  expect(holderIsDead(`test-host/${process.pid}/0000ffff/x`, 'test-host', alive)).toBe(true); // a container restarted with our pid
  expect(holderIsDead(newHolderToken('test-host'), 'test-host', alive)).toBe(false); // another worker of this very process
  expect(holderIsDead(null, 'test-host', alive)).toBe(false);
});
