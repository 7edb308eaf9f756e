import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp, { ChannelModel } from 'amqplib';
import { assertTopology, topologyNames } from '../../shared/src/amqp/topology';
import { createPrismaClient, Db } from '../../shared/src/db/prisma-client';
import { waitUntil } from '../support/amqp-helpers';
import { serviceArgs, serviceMain } from '../support/service-command';
import { freePort } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const DEMO_RUNNER = `'${process.execPath}' '${path.join(ROOT, 'services/worker/runner/demo-runner.js')}'`;
const TASKS = 12;

interface ServiceChild {
  id: string;
  child: ChildProcess;
  output: string[];
  healthUrl: string;
}

interface WorkerRow {
  worker_id: string;
  status: string;
  health_reason: string | null;
}

/**
 * Issue 11 item 6, with real processes: a worker whose environment is broken (the demo runner with
 * DEMO_RUNNER_BROKEN=1 plays "AIOpsLab cannot be imported") leaves every task to a healthy worker,
 * even tasks with max_retries 0, without using up attempts. Leases are 10 minutes long, so only an
 * immediate requeue (never a lease expiry) lets the tasks finish within the test.
 */
describe('worker health (api + a healthy and two broken worker processes)', () => {
  let env: TestEnv;
  let db: Db;
  let broker: ChannelModel;
  let workDir: string;
  let apiUrl: string;
  const children: ServiceChild[] = [];
  const dispatchQueue = () => topologyNames(env.queuePrefix).queues.dispatch;

  async function start(id: string, service: 'api' | 'worker', extraEnv: Record<string, string>): Promise<ServiceChild> {
    const port = await freePort();
    const portEnv = service === 'api' ? { PORT: String(port), HOST: '127.0.0.1' } : { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1' };
    // A window as large as the batch: the test counts every task's message in the queue.
    const window = { DISPATCH_WINDOW_MIN: String(TASKS) };
    const child = spawn(process.execPath, serviceArgs(service), { cwd: ROOT, env: { PATH: process.env.PATH, ...env.env, LOG_LEVEL: 'info', ...window, ...portEnv, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const started = { id, child, output, healthUrl: `http://127.0.0.1:${port}/health` };
    children.push(started);
    return started;
  }

  function startWorker(id: string, extraEnv: Record<string, string> = {}): Promise<ServiceChild> {
    return start(id, 'worker', {
      WORKER_ID: id,
      RUNNER_COMMAND: DEMO_RUNNER,
      DEMO_RUNNER_SPEED: '0.05',
      WORK_DIR: path.join(workDir, id),
      CLUSTER_PROVIDER: 'none',
      LEASE_SECONDS: '600',
      HEARTBEAT_INTERVAL_SECONDS: '0.5',
      REFRESH_PROBLEMS_AT_START: 'false',
      HEALTH_RECHECK_BASE_SECONDS: '600',
      HEALTH_RECHECK_CAP_SECONDS: '600',
      DB_POOL_SIZE: '3',
      ...extraEnv,
    });
  }

  const dump = () => children.map((c) => `--- ${c.id}\n${c.output.join('').slice(-4000)}`).join('\n');
  const workerRow = async (id: string) => ((await (await fetch(`${apiUrl}/workers/${id}`)).json()) as WorkerRow);
  const dispatchDepth = async () => {
    const channel = await broker.createChannel();
    try {
      return await channel.checkQueue(dispatchQueue());
    } finally {
      await channel.close();
    }
  };
  const events = async (taskId: string) =>
    (await db.outboxMessage.findMany({ where: { exchange: topologyNames(env.queuePrefix).exchanges.events }, orderBy: { id: 'asc' } }))
      .map((row) => row.payload as { task_id: string; to_status: string; worker_id: string | null; notes: string })
      .filter((event) => event.task_id === taskId);

  beforeAll(async () => {
    for (const main of [serviceMain('worker'), serviceMain('api')]) if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl, 3);
    workDir = mkdtempSync(path.join(os.tmpdir(), 'worker-health-e2e-'));
    broker = await amqp.connect(env.amqpUrl);
    const channel = await broker.createChannel();
    await assertTopology(channel, topologyNames(env.queuePrefix));
    await channel.close();
    const api = await start('api', 'api', {});
    apiUrl = api.healthUrl.replace('/health', '');
    await waitUntil(async () => (await fetch(`${apiUrl}/health`).catch(() => null)) !== null, 20_000, 'the api to listen');
  }, 60_000);

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await broker?.close().catch(() => undefined);
    await db?.$disconnect();
    await env?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('a worker that fails its preflight stays up, unhealthy and not consuming', async () => {
    const worker = await startWorker('health-broken-preflight', { DEMO_RUNNER_BROKEN: '1' });
    await waitUntil(async () => (await workerRow(worker.id).catch(() => null))?.status === 'unhealthy', 20_000, 'the worker to report unhealthy').catch((error) => {
      throw new Error(`${(error as Error).message}\n${dump()}`);
    });
    expect((await workerRow(worker.id)).health_reason).toMatch(/^preflight failed: .*--list-problems: the runner wrote no problems line .*ModuleNotFoundError: No module named 'aiopslab'/);
    const health = await fetch(worker.healthUrl);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unhealthy', health: 'unhealthy', health_reason: expect.stringMatching(/^preflight failed/), consuming: false, failed_checks: 1, next_check_at: expect.any(String) });
    expect((await dispatchDepth()).consumerCount).toBe(0);
    expect(await (await fetch(worker.healthUrl.replace('/health', '/metrics'))).text()).toMatch(/^worker_unhealthy 1$/m);
    expect(worker.child.exitCode).toBeNull();
  }, 40_000);

  it('a worker whose environment breaks during a task hands it back at once, uncounted, and every task completes on the healthy worker', async () => {
    // No preflight: it takes a task, whose setup fails with an error of origin "environment".
    const broken = await startWorker('health-broken-run', { DEMO_RUNNER_BROKEN: '1', RUNNER_PREFLIGHT: 'false' });
    await waitUntil(async () => (await dispatchDepth()).consumerCount === 1, 20_000, 'the broken worker to consume');
    const response = await fetch(`${apiUrl}/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tasks: Array.from({ length: TASKS }, (_, i) => ({ problem_id: 'k8s_target_port-misconfig-detection-1', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] }, max_steps: 5, timeout_minutes: 10, max_retries: i % 3 === 0 ? 1 : 0 })) }),
    });
    expect(response.status).toBe(201);
    const ids = ((await response.json()) as { tasks: { task_id: string }[] }).tasks.map((t) => t.task_id);

    await waitUntil(async () => (await workerRow(broken.id)).status === 'unhealthy', 20_000, 'the broken worker to report unhealthy').catch((error) => {
      throw new Error(`${(error as Error).message}\n${dump()}`);
    });
    expect((await workerRow(broken.id)).health_reason).toBe("ModuleNotFoundError: No module named 'aiopslab' (demo runner: DEMO_RUNNER_BROKEN=1 plays a broken worker environment)");
    // Every task, the handed-back one included, is back in the queue, and nobody consumes it.
    await waitUntil(async () => (await dispatchDepth()).messageCount === TASKS, 10_000, `all ${TASKS} dispatch messages ready in the queue`);
    expect((await dispatchDepth()).consumerCount).toBe(0);
    const handedBack = (await db.task.findMany({ where: { id: { in: ids }, status: 'retrying' } })).map((t) => t.id);
    expect(handedBack).toHaveLength(1);
    expect(await db.task.findUniqueOrThrow({ where: { id: handedBack[0] } })).toMatchObject({ attempt: 0, workerId: 'health-broken-run', error: null });

    const healthy = await startWorker('health-ok');
    await waitUntil(async () => (await db.task.count({ where: { id: { in: ids }, status: 'completed' } })) === TASKS, 60_000, 'every task completed').catch((error) => {
      throw new Error(`${(error as Error).message}\n${dump()}`);
    });
    for (const task of await db.task.findMany({ where: { id: { in: ids } } })) {
      expect(task).toMatchObject({ status: 'completed', attempt: 1, workerId: healthy.id, error: null });
    }
    expect((await events(handedBack[0])).map((e) => [e.to_status, e.worker_id])).toEqual([
      ['pending', null],
      ['processing', 'health-broken-run'],
      ['retrying', 'health-broken-run'],
      ['processing', 'health-ok'],
      ['completed', 'health-ok'],
    ]);
    expect((await events(handedBack[0]))[2].notes).toMatch(/^handed back: the environment of worker health-broken-run is broken \(ModuleNotFoundError: No module named 'aiopslab'.*\); attempt 1 is not counted$/);

    await waitUntil(async () => (await workerRow(healthy.id)).status === 'idle', 10_000, 'the healthy worker to report idle');
    const listed = ((await (await fetch(`${apiUrl}/workers`)).json()) as { workers: WorkerRow[] }).workers;
    expect(listed.map((w) => [w.worker_id, w.status, w.health_reason === null])).toEqual([
      ['health-broken-preflight', 'unhealthy', false],
      ['health-broken-run', 'unhealthy', false],
      ['health-ok', 'idle', true],
    ]);
    const unhealthyOnly = ((await (await fetch(`${apiUrl}/workers?status=unhealthy`)).json()) as { workers: WorkerRow[] }).workers;
    expect(unhealthyOnly.map((w) => w.worker_id)).toEqual(['health-broken-preflight', 'health-broken-run']);
    expect((await fetch(healthy.healthUrl)).status).toBe(200);
    expect(await (await fetch(healthy.healthUrl.replace('/health', '/metrics'))).text()).toMatch(/^worker_unhealthy 0$/m);
    expect((await fetch(broken.healthUrl)).status).toBe(503);

    // The healthy worker kept each session (the demo runner writes one to results_dir, as AIOpsLab does).
    const session = await fetch(`${apiUrl}/tasks/${handedBack[0]}/session`);
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ attempt: 1, source: 'results_dir', truncated_in_result: false, session: { problem_id: 'k8s_target_port-misconfig-detection-1', results: { 'Detection Accuracy': 'Correct' } } });
  }, 120_000);
});
