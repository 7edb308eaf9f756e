import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import amqp, { ChannelModel } from 'amqplib';
import { assertTopology, topologyNames } from '../../shared/src/amqp/topology';
import { createPrismaClient, Db } from '../../shared/src/db/prisma-client';
import type { TaskEvent } from '../../shared/src/schemas/messages';
import { waitUntil } from '../support/amqp-helpers';
import { serviceArgs, serviceMain } from '../support/service-command';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const WORKER_MAIN = serviceMain('worker');
const API_MAIN = serviceMain('api');
const RUNNER = `'${process.execPath}' '${path.join(ROOT, 'services/worker/test/fixtures/succeeds.js')}'`;
const TASKS = 100;
const WORKERS = ['e2e-w1', 'e2e-w2', 'e2e-w3'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/**
 * The worker pipeline end to end: the api and three workers as real processes (the built
 * dist/main.js), 100 tasks submitted with POST /tasks, a stand-in runner. Build first:
 * npx tsc -b tsconfig.build.json (npm test does it).
 */
describe('worker pipeline (api + three worker processes, 100 tasks)', () => {
  let env: TestEnv;
  let db: Db;
  let broker: ChannelModel;
  let workDir: string;
  const events: TaskEvent[] = [];
  const workers: WorkerProcess[] = [];
  let api: WorkerProcess;
  let apiUrl: string;
  const topology = () => topologyNames(env.queuePrefix);

  function startProcess(id: string, service: 'api' | 'worker', extraEnv: Record<string, string>): WorkerProcess {
    const child = spawn(process.execPath, serviceArgs(service), { cwd: ROOT, env: { PATH: process.env.PATH, ...env.env, LOG_LEVEL: 'warn', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { id, child, output, exited };
  }

  function startWorker(id: string): WorkerProcess {
    return startProcess(id, 'worker', {
        WORKER_ID: id,
        RUNNER_COMMAND: RUNNER,
        WORK_DIR: workDir,
        CLUSTER_PROVIDER: 'none',
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: '0',
        LEASE_SECONDS: '10',
        HEARTBEAT_INTERVAL_SECONDS: '1',
        REFRESH_PROBLEMS_AT_START: 'false',
        RUNNER_PREFLIGHT: 'false',
        DB_POOL_SIZE: '4',
    });
  }

  /** POST /tasks, the way a client submits. */
  async function submit(n: number): Promise<string> {
    const response = await fetch(`${apiUrl}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `e2e-${n}` },
      body: JSON.stringify({ problem_id: 'k8s_target_port-misconfig-detection-1', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] }, max_steps: 5, timeout_minutes: 10, max_retries: 1, priority: n % 3 }),
    });
    if (response.status !== 201) throw new Error(`POST /tasks answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { task_id: string }).task_id;
  }

  beforeAll(async () => {
    for (const main of [WORKER_MAIN, API_MAIN]) if (!existsSync(main)) throw new Error(`${main} is missing: build first with \`npx tsc -b tsconfig.build.json\` (npm test does it)`);
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl, 4);
    workDir = mkdtempSync(path.join(os.tmpdir(), 'worker-e2e-'));
    broker = await amqp.connect(env.amqpUrl);
    const channel = await broker.createChannel();
    await assertTopology(channel, topology());
    const queue = `${env.queuePrefix}e2e-events`;
    await channel.assertQueue(queue, { durable: false, autoDelete: true });
    await channel.bindQueue(queue, topology().exchanges.events, topology().routing.eventPattern);
    await channel.consume(queue, (message) => message && events.push(JSON.parse(message.content.toString())), { noAck: true });
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = startProcess('api', 'api', { PORT: String(port), HOST: '127.0.0.1' });
    workers.push(...WORKERS.map(startWorker));
  }, 60_000);

  afterAll(async () => {
    for (const child of [...workers, api]) if (child && child.child.exitCode === null) child.child.kill('SIGKILL');
    await broker?.close().catch(() => undefined);
    await db?.$disconnect();
    await env?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('runs every task exactly once, stores logs and results, and no worker runs two tasks at a time', async () => {
    await waitUntil(async () => (await db.worker.count({ where: { id: { in: WORKERS }, status: 'idle' } })) === WORKERS.length, 20_000, 'three workers registered');
    const check = await broker.createChannel();
    await waitUntil(async () => (await check.checkQueue(topology().queues.dispatch)).consumerCount === WORKERS.length, 20_000, 'three consumers on tasks.dispatch');

    await waitUntil(async () => (await fetch(`${apiUrl}/health`).catch(() => null)) !== null, 20_000, 'the api to listen');
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i += 10) ids.push(...(await Promise.all(Array.from({ length: Math.min(10, TASKS - i) }, (_, k) => submit(i + k)))));
    expect(new Set(ids).size).toBe(TASKS);

    await waitUntil(async () => (await db.task.count({ where: { id: { in: ids }, status: 'completed' } })) === TASKS, 90_000, 'all tasks completed').catch((error) => {
      throw new Error(`${(error as Error).message}\n${[...workers, api].map((w) => `--- ${w.id}\n${w.output.join('').slice(-3000)}`).join('\n')}`);
    });
    await waitUntil(() => events.filter((e) => e.to_status === 'completed').length >= TASKS, 20_000, 'all completed events published');

    const tasks = await db.task.findMany({ where: { id: { in: ids } } });
    for (const task of tasks) {
      expect(task).toMatchObject({ status: 'completed', attempt: 1, error: null });
      expect(WORKERS).toContain(task.workerId);
      expect((task.result as { results: object; trajectory: unknown[] }).results).toMatchObject({ 'Detection Accuracy': 'Correct' });
      expect((task.result as { trajectory: unknown[] }).trajectory).toHaveLength(2);
    }

    const logs = await db.taskLog.groupBy({ by: ['taskId'], where: { taskId: { in: ids } }, _count: { _all: true }, _max: { seq: true }, _min: { seq: true } });
    expect(logs).toHaveLength(TASKS);
    for (const group of logs) expect(group).toMatchObject({ _min: { seq: 1 }, _max: { seq: group._count._all } });

    const byTask = new Map<string, TaskEvent[]>();
    for (const event of events) byTask.set(event.task_id, [...(byTask.get(event.task_id) ?? []), event]);
    for (const id of ids) {
      const mine = byTask.get(id) ?? [];
      expect(mine.filter((e) => e.to_status === 'processing')).toHaveLength(1);
      expect(mine.filter((e) => e.to_status === 'completed')).toHaveLength(1);
      expect(new Set(mine.map((e) => e.event_id)).size).toBe(mine.length);
    }

    // The api serves what the workers stored.
    const sample = ids[0];
    const shown = (await (await fetch(`${apiUrl}/tasks/${sample}`)).json()) as { status: string };
    expect(shown.status).toBe('completed');
    const served = await fetch(`${apiUrl}/tasks/${sample}/logs`);
    expect(served.status).toBe(200);
    expect(JSON.stringify(await served.json())).toContain('completed by e2e-w');

    // Processing intervals (claim → completion) per worker must not overlap.
    const intervals = new Map<string, [number, number][]>();
    for (const id of ids) {
      const mine = byTask.get(id)!;
      const claim = mine.find((e) => e.to_status === 'processing')!;
      const done = mine.find((e) => e.to_status === 'completed')!;
      intervals.set(claim.worker_id!, [...(intervals.get(claim.worker_id!) ?? []), [Date.parse(claim.occurred_at), Date.parse(done.occurred_at)]]);
    }
    expect([...intervals.keys()].sort()).toEqual(WORKERS);
    for (const [worker, spans] of intervals) {
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) {
        if (spans[i][0] < spans[i - 1][1]) throw new Error(`${worker} overlapped: ${spans[i - 1]} and ${spans[i]}`);
      }
    }
    await check.close();
  }, 150_000);

  it('on SIGTERM every worker drains, marks itself offline and exits 0', async () => {
    for (const worker of workers) worker.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes).toEqual([0, 0, 0]);
    api.child.kill('SIGTERM');
    await api.exited;
    const rows = await db.worker.findMany({ where: { id: { in: WORKERS } } });
    expect(rows.map((r) => r.status)).toEqual(['offline', 'offline', 'offline']);
    expect((await (await broker.createChannel()).checkQueue(topology().queues.dispatch)).messageCount).toBe(0);
  }, 60_000);
});
