import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrismaClient, Db } from '../../shared/src/db/prisma-client';
import { waitUntil } from '../support/amqp-helpers';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const RUNNER = `'${process.execPath}' '${path.join(ROOT, 'services/worker/test/fixtures/succeeds.js')}'`;
/** PgBouncer in transaction mode (scripts/ensure-pgbouncer.sh; ensure-services.sh starts it). */
const PGBOUNCER_PORT = process.env.TEST_PGBOUNCER_PORT ?? '6432';
const TASKS = 30;
const WORKERS = ['bouncer-w1', 'bouncer-w2'];

/**
 * The api, the history service and two workers as real processes, every one of them connected
 * to PostgreSQL only through Debian's PgBouncer 1.18 in transaction mode, with
 * DATABASE_PREPARED_STATEMENTS=false: tasks go from POST /tasks to a history row and a result,
 * each exactly once. (Named prepared statements would fail there: "prepared statement … does not
 * exist" as soon as a transaction lands on another server connection.) Build first.
 */
describe('api, history and workers through PgBouncer in transaction mode', () => {
  let env: TestEnv;
  let db: Db;
  let dir: string;
  let base: string;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl, 2); // the test's own checks go direct
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'through-pgbouncer-'));
    const viaBouncer = new URL(env.databaseUrl);
    viaBouncer.port = PGBOUNCER_PORT;
    const common = { ...env.env, DATABASE_URL: viaBouncer.toString(), DATABASE_PREPARED_STATEMENTS: 'false' };
    const log = (name: string) => path.join(dir, `${name}.log`);
    const apiPort = await freePort();
    base = `http://127.0.0.1:${apiPort}`;
    services.push(new ServiceProcess('api', 'api', { ...common, PORT: String(apiPort), HOST: '127.0.0.1' }, `${base}/health`, log('api')));
    const historyPort = await freePort();
    services.push(new ServiceProcess('history', 'history', { ...common, HEALTH_PORT: String(historyPort), HEALTH_HOST: '127.0.0.1' }, `http://127.0.0.1:${historyPort}/health`, log('history')));
    for (const id of WORKERS) {
      const port = await freePort();
      const workerEnv = { ...common, WORKER_ID: id, CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: RUNNER, RUNNER_PREFLIGHT: 'false', REFRESH_PROBLEMS_AT_START: 'false', WORK_DIR: path.join(dir, id), HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1', HEARTBEAT_INTERVAL_SECONDS: '1', WORKER_STALE_SECONDS: '5', REAPER_INTERVAL_SECONDS: '1' };
      services.push(new ServiceProcess(id, 'worker', workerEnv, `http://127.0.0.1:${port}/health`, log(id)));
    }
    for (const service of services) await service.start();
  }, 90_000);

  afterAll(async () => {
    for (const service of services.reverse()) await service.stop();
    await db?.$disconnect();
    await env?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every task once, records its whole history, and the workers hold their ids and the reaper lease', async () => {
    await waitUntil(async () => (await db.worker.count({ where: { id: { in: WORKERS }, status: 'idle' } })) === WORKERS.length, 30_000, 'workers registered');
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const response = await fetch(`${base}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ problem_id: 'k8s_target_port-misconfig-detection-1', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] }, max_steps: 5, timeout_minutes: 10 }),
      });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { task_id: string }).task_id);
    }
    await waitUntil(async () => (await db.task.count({ where: { id: { in: ids }, status: 'completed' } })) === TASKS, 90_000, 'all tasks completed');
    await waitUntil(async () => (await db.statusHistory.count({ where: { taskId: { in: ids }, toStatus: 'completed' } })) === TASKS, 30_000, 'history recorded');

    const tasks = await db.task.findMany({ where: { id: { in: ids } } });
    for (const task of tasks) expect(task).toMatchObject({ status: 'completed', attempt: 1, error: null });
    const history = await db.statusHistory.findMany({ where: { taskId: { in: ids } }, orderBy: { occurredAt: 'asc' } });
    for (const id of ids) expect(history.filter((row) => row.taskId === id).map((row) => row.toStatus)).toEqual(['pending', 'processing', 'completed']);
    expect(await db.taskLog.count({ where: { taskId: { in: ids } } })).toBeGreaterThan(0);

    const workers = await db.worker.findMany({ where: { id: { in: WORKERS } } });
    for (const worker of workers) expect(worker.holder).toMatch(/\//);
    const lease = await db.leaderLease.findUnique({ where: { name: 'reaper' } });
    expect(WORKERS.some((id) => lease?.holder === workers.find((w) => w.id === id)?.holder)).toBe(true);
  }, 150_000);
});
