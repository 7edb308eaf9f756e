import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { Client } from 'pg';
import { waitUntil } from '../support/amqp-helpers';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';
import { TEST_AMQP_URL } from '../support/test-services';

const ROOT = path.resolve(__dirname, '../..');
const DEMO_RUNNER = `'${process.execPath}' '${path.join(ROOT, 'services/worker/runner/demo-runner.js')}'`;
const WINDOW = 2;
const BIG = 40;
/** The fields of the api's answers this test reads. */
interface Answer {
  run_id: string;
  problems: { id: string }[];
  status: string;
  dispatched_at: string | null;
  dispatch: { waiting: number; dispatched: number };
}
const AGENT = [{ label: 'demo', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } }];

/**
 * Fair sharing between runs through the real api, worker and broker (issue 21): with a dispatch
 * window of 2, a small run submitted behind a big one waits for at most the window, not for the
 * big run; cancelling the big run leaves at most the window in the dispatch queue.
 */
describe('the dispatch window: a small run behind a big one', () => {
  let env: TestEnv;
  let db: Client;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let base: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fair-dispatch-e2e-'));
  const windowEnv = { DISPATCH_WINDOW_MIN: String(WINDOW), DISPATCH_WINDOW_PER_WORKER: '0' };

  beforeAll(async () => {
    env = await createTestEnv();
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const apiPort = await freePort();
    base = `http://127.0.0.1:${apiPort}`;
    api = new ServiceProcess('api', 'api', { ...env.env, ...windowEnv, PORT: String(apiPort), HOST: '127.0.0.1' }, `${base}/health`, path.join(dir, 'api.log'));
    const healthPort = await freePort();
    worker = new ServiceProcess('worker', 'worker', {
      ...env.env,
      ...windowEnv,
      WORKER_ID: 'fair-w1',
      REAPER_INTERVAL_SECONDS: '1',
      DISPATCH_LOST_AFTER_SECONDS: '1',
      CLUSTER_PROVIDER: 'none',
      RUNNER_COMMAND: DEMO_RUNNER,
      DEMO_RUNNER_SPEED: '0.02',
      REFRESH_PROBLEMS_AT_START: 'false',
      WORK_DIR: path.join(dir, 'work'),
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
    }, `http://127.0.0.1:${healthPort}/health`, path.join(dir, 'worker.log'));
    await Promise.all([api.start(), worker.start()]);
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await db?.end();
    await env?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, pathname: string, body?: unknown) => {
    const res = await fetch(`${base}${pathname}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const dispatchDepth = async () => {
    const connection = await amqp.connect(TEST_AMQP_URL);
    try {
      const channel = await connection.createChannel();
      return (await channel.checkQueue(`${env.queuePrefix}tasks.dispatch`)).messageCount;
    } finally {
      await connection.close();
    }
  };

  it('the small run starts after at most the window of the big one, and a cancel leaves no backlog', async () => {
    const problems = (await call('GET', '/problems')).body.problems.map((p) => p.id);
    const big = await call('POST', '/runs', { name: 'big', problem_ids: problems.slice(0, 1), agents: AGENT, repeats: BIG });
    expect(big.status).toBe(201);
    const bigId = big.body.run_id;
    const completedOf = async (runId: string) => Number((await db.query("SELECT count(*) FROM tasks WHERE run_id = $1 AND status = 'completed'", [runId])).rows[0].count);
    await waitUntil(async () => (await completedOf(bigId)) >= 3, 60_000, 'three tasks of the big run done');

    // Tasks waiting for their turn are visible as such: no dispatched_at, and counted by GET /queues.
    const waitingTask = (await db.query("SELECT id FROM tasks WHERE run_id = $1 AND status = 'pending' AND dispatched_at IS NULL LIMIT 1", [bigId])).rows[0];
    expect(waitingTask).toBeDefined();
    expect((await call('GET', `/tasks/${waitingTask.id}`)).body).toMatchObject({ status: 'pending', dispatched_at: null });
    const queues = (await call('GET', '/queues')).body;
    expect(queues.dispatch.dispatched).toBeLessThanOrEqual(WINDOW);
    expect(queues.dispatch.waiting).toBeGreaterThan(20);

    const small = await call('POST', '/runs', { name: 'small', problem_ids: problems.slice(1, 3), agents: AGENT, repeats: 1 });
    expect(small.status).toBe(201);
    const smallId = small.body.run_id;
    await waitUntil(async () => (await completedOf(smallId)) === 2, 60_000, 'the small run done');

    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE b.started_at > s.created_at AND b.started_at < s.first_start)::int AS big_between,
              count(*) FILTER (WHERE b.started_at IS NULL OR b.started_at > s.first_start)::int AS big_after
       FROM tasks b, (SELECT r.created_at, min(t.started_at) AS first_start FROM runs r JOIN tasks t ON t.run_id = r.id WHERE r.id = $2 GROUP BY r.created_at) s
       WHERE b.run_id = $1`,
      [bigId, smallId],
    );
    // Between the small run's submission and its first claim only the big tasks already in the
    // window ran; FIFO would have run all that were left.
    expect(rows[0].big_between).toBeLessThanOrEqual(WINDOW);
    expect(rows[0].big_after).toBeGreaterThan(15);

    const cancel = await call('DELETE', `/runs/${bigId}`);
    expect([200, 202]).toContain(cancel.status); // 202: the running task was asked to stop
    expect(await dispatchDepth()).toBeLessThanOrEqual(WINDOW);
    await waitUntil(async () => (await dispatchDepth()) === 0, 30_000, 'the stale dispatch messages dropped by the worker');
    const unfinished = async () => (await db.query("SELECT count(*)::int AS n FROM tasks WHERE run_id = $1 AND status IN ('pending', 'retrying', 'processing')", [bigId])).rows[0].n;
    await waitUntil(async () => (await unfinished()) === 0, 30_000, 'every task of the big run ended');
  });

  it('a purged dispatch queue does not hold the window for good: the leader dispatches the lost tasks again', async () => {
    const problems = (await call('GET', '/problems')).body.problems.map((p) => p.id);
    await worker.stop();
    const run = await call('POST', '/runs', { name: 'purged', problem_ids: problems.slice(3, 9), agents: AGENT, repeats: 1 });
    expect(run.status).toBe(201);
    await waitUntil(async () => (await dispatchDepth()) === WINDOW, 20_000, 'the window in the queue');
    const connection = await amqp.connect(TEST_AMQP_URL);
    const channel = await connection.createChannel();
    await channel.purgeQueue(`${env.queuePrefix}tasks.dispatch`);
    await connection.close();
    expect(await dispatchDepth()).toBe(0);

    await worker.start();
    const completed = async () => Number((await db.query("SELECT count(*) FROM tasks WHERE run_id = $1 AND status = 'completed'", [run.body.run_id])).rows[0].count);
    await waitUntil(async () => (await completed()) === 6, 60_000, 'every task of the purged run done');
    // Eight dispatch messages for six tasks: the two purged ones were written again.
    const messages = await db.query(
      "SELECT count(*)::int AS n FROM outbox WHERE routing_key = 'dispatch' AND payload->>'task_id' IN (SELECT id::text FROM tasks WHERE run_id = $1)",
      [run.body.run_id],
    );
    expect(messages.rows[0].n).toBe(8);
  });
});
