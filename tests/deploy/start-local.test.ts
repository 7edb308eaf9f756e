import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestEnv, TestEnv } from '../support/test-env';
import { ROOT } from './support/compose';

/**
 * `npm start` as a user runs it (scripts/start-local.js after the build that `npm test` already
 * did), against this run's own database and queue prefix: a task submitted through the API
 * completes with the demo runner, and Ctrl-C leaves no process behind.
 */
const PROBLEM_ID = 'k8s_target_port-misconfig-detection-1';

const workDirs: string[] = [];

interface Started {
  process: ChildProcess;
  output: string[];
  pids: Record<string, number>;
  apiUrl: string;
  workDir: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, output?: string[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${output ? `\n--- output ---\n${output.join('\n')}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves 'timeout' after ms without holding the process open. */
const timeout = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function descendants(root: number): number[] {
  const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift();
    for (const [pid, ppid] of table) if (ppid === parent) (found.push(pid), queue.push(pid));
  }
  return found;
}

/** scripts/start-local.js as a child process, its output collected; nothing waited for. */
async function spawnStartLocal(env: TestEnv, extra: Record<string, string>): Promise<Started & { ports: number[] }> {
  const [apiPort, historyPort, workerPort] = [await freePort(), await freePort(), await freePort()];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-start-local-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start-local.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env.env,
      LOG_LEVEL: 'info',
      NO_COLOR: '1',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      HISTORY_HEALTH_PORT: String(historyPort),
      WORKER_HEALTH_PORT: String(workerPort),
      HEALTH_HOST: '127.0.0.1',
      WORK_DIR: workDir,
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const pids: Record<string, number> = {};
  workDirs.push(workDir);
  for (const stream of [child.stdout!, child.stderr!]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        output.push(line);
        const started = /^start-local \| (\w+) started \(pid (\d+)\)/.exec(line);
        if (started) pids[started[1]] = Number(started[2]);
      }
    });
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { process: child, output, pids, apiUrl: `http://127.0.0.1:${apiPort}`, workDir, exit, ports: [historyPort, workerPort] };
}

/** `npm start` until api, worker and history all answer /health. */
async function startLocal(env: TestEnv, extra: Record<string, string>): Promise<Started> {
  const spawned = await spawnStartLocal(env, extra);
  const { output, pids, apiUrl, ports: [historyPort, workerPort] } = spawned;
  await waitFor('api, worker and history to start', 60_000, () => (Object.keys(pids).length === 3 ? true : undefined), output);
  await waitFor('GET /health 200', 60_000, async () => ((await fetch(`${apiUrl}/health`).catch(() => null))?.ok ? true : undefined), output);
  await waitFor('the worker and history health endpoints', 60_000, async () => {
    const answers = await Promise.all([workerPort, historyPort].map((port) => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)));
    return answers.every(Boolean) ? true : undefined;
  }, output);
  return spawned;
}

async function submit(apiUrl: string, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${apiUrl}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { task_id: string }).task_id;
}

const getTask = async (apiUrl: string, id: string) => (await (await fetch(`${apiUrl}/tasks/${id}`)).json()) as { status: string; status_history: { to_status: string }[]; result: unknown };

describe('npm start (scripts/start-local.js)', () => {
  let env: TestEnv;
  let started: Started | null = null;

  beforeEach(async () => {
    env = await createTestEnv();
  });

  afterEach(async () => {
    // Whatever happened, leave nothing running.
    if (started && started.process.exitCode === null) started.process.kill('SIGKILL');
    for (const pid of Object.values(started?.pids ?? {})) if (alive(pid)) process.kill(pid, 'SIGKILL');
    started = null;
    for (const dir of workDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    await env.drop().catch(() => undefined);
  });

  test('runs api, worker and history; a task completes with the demo runner; Ctrl-C stops every process', async () => {
    started = await startLocal(env, { DEMO_RUNNER_SPEED: '0' });
    const workerLines = started.output.filter((line) => line.startsWith('worker '));
    expect(workerLines[0]).toMatch(/CLUSTER_PROVIDER=none \(no cluster\) and the demo runner services\/worker\/runner\/demo-runner\.js/);

    const taskId = await submit(started.apiUrl, { problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' }, max_steps: 5 });
    const done = await waitFor('the task to complete, with its transitions recorded by history', 60_000, async () => {
      const task = await getTask(started!.apiUrl, taskId);
      if (['failed', 'timed_out', 'cancelled'].includes(task.status)) throw new Error(`task ended ${task.status}: ${JSON.stringify(task)}\n${started!.output.join('\n')}`);
      return task.status === 'completed' && task.status_history.some((h) => h.to_status === 'completed') ? task : undefined;
    }, started.output);
    expect(done.result).toBeTruthy();
    expect(done.status_history.map((h) => h.to_status)).toEqual(expect.arrayContaining(['processing', 'completed']));

    // The way users drive it: submit a demo batch, then follow one task to its end.
    // (Asynchronously: a blocked event loop would stop reading start-local's output, and a full
    // pipe would stall the services.)
    const node = (script: string, args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'scripts', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        const out = { stdout: '', stderr: '' };
        child.stdout!.on('data', (c) => (out.stdout += c));
        child.stderr!.on('data', (c) => (out.stderr += c));
        child.on('exit', (status) => resolve({ status, ...out }));
      });
    const submitted = await node('submit-demo.js', ['--api', started.apiUrl, '--count', '2']);
    expect({ code: submitted.status, stderr: submitted.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('2 task(s) submitted') });
    const ids = submitted.stdout.trim().split('\n');
    expect(ids).toHaveLength(2);
    const tail = await node('tail-task.js', [ids[0], '--api', started.apiUrl]);
    expect({ code: tail.status, stderr: tail.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`${ids[0]} completed`) });
    expect(tail.stdout).toMatch(/\[(stdout|stderr)\/\w+\] /);

    const pids = Object.values(started.pids);
    expect(pids.every(alive)).toBe(true);
    started.process.kill('SIGINT');
    const exit = await Promise.race([started.exit, timeout(60_000)]);
    expect({ exit, tail: exit === 'timeout' ? started.output.slice(-20) : [] }).toEqual({ exit: { code: 0, signal: null }, tail: [] });
    expect(pids.filter(alive)).toEqual([]);
    for (const name of ['api', 'worker', 'history']) expect(started.output).toContain(`start-local | ${name} exited (exit code 0)`);
  }, 180_000);

  test('Ctrl-C with a task running says what it waits for and how long; a second Ctrl-C hands the task back now and stops everything', async () => {
    // A slow demo run and a long drain deadline: the first Ctrl-C alone would wait for the task.
    started = await startLocal(env, { DEMO_RUNNER_SPEED: '200', SHUTDOWN_DEADLINE_SECONDS: '120' });
    const taskId = await submit(started.apiUrl, { problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' }, max_steps: 5 });
    await waitFor('the task to be processing', 30_000, async () => ((await getTask(started!.apiUrl, taskId)).status === 'processing' ? true : undefined), started.output);
    const runners = await waitFor('the runner process', 10_000, () => {
      const below = descendants(started!.pids.worker);
      return below.length > 0 ? below : undefined;
    });

    started.process.kill('SIGINT');
    const waiting = await waitFor('the stop to say what it waits for', 10_000, () => started!.output.find((l) => l.includes(`the worker is running task ${taskId}`)), started.output);
    expect(waiting).toContain('waiting up to 120 s (SHUTDOWN_DEADLINE_SECONDS) for it to finish, then it is handed back. Ctrl-C again hands it back now.');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the double-signal debounce
    expect(started.process.exitCode).toBeNull(); // still draining
    started.process.kill('SIGINT');
    const exit = await Promise.race([started.exit, timeout(30_000)]);
    expect({ exit, tail: exit === 'timeout' ? started.output.slice(-20) : [] }).toEqual({ exit: { code: 1, signal: null }, tail: [] });
    expect(started.output).toContain('start-local | SIGINT again: the worker hands its running task back now (it goes back to the queue); Ctrl-C once more kills everything');
    const all = [...Object.values(started.pids), ...runners];
    await waitFor('every process to be gone', 5_000, () => (all.filter(alive).length === 0 ? true : undefined));
    // Handed back: waiting to run again, the interrupted attempt not counted as a failure.
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const { rows } = await db.query<{ status: string; error: unknown }>('SELECT status, error FROM tasks WHERE id = $1', [taskId]);
    await db.end();
    expect(rows[0].status).toBe('retrying');
  }, 180_000);

  test('a service that dies is restarted with backoff, saying so, while the others keep running', async () => {
    started = await startLocal(env, { DEMO_RUNNER_SPEED: '0' });
    const before = { ...started.pids };
    process.kill(before.history, 'SIGKILL');
    const notice = await waitFor('the restart notice', 10_000, () => started!.output.find((l) => l.includes('history stopped unexpectedly')), started.output);
    expect(notice).toBe("start-local | history stopped unexpectedly; restarting it in 1 s (failure 1 in a row; the others keep running, as under compose's restart: unless-stopped). Ctrl-C stops everything.");
    await waitFor('history to be started again', 15_000, () => (started!.pids.history !== before.history ? true : undefined), started.output);
    expect(alive(before.api) && alive(before.worker)).toBe(true);
    const taskId = await submit(started.apiUrl, { problem_id: PROBLEM_ID, agent_config: { kind: 'registry', name: 'gpt' }, max_steps: 5 });
    await waitFor('the task to complete with its history recorded by the restarted service', 60_000, async () => {
      const task = await getTask(started!.apiUrl, taskId);
      return task.status === 'completed' && task.status_history.some((h) => h.to_status === 'completed') ? true : undefined;
    }, started.output);
    started.process.kill('SIGINT');
    const exit = await Promise.race([started.exit, timeout(60_000)]);
    expect(exit).toEqual({ code: 0, signal: null });
  }, 180_000);

  test('a configuration error (API_TOKEN too short) stops npm start: no restart, the others stopped, the error printed once, exit 78', async () => {
    started = await spawnStartLocal(env, { API_TOKEN: 'short', DEMO_RUNNER_SPEED: '0' });
    const exit = await Promise.race([started.exit, timeout(60_000)]);
    expect({ exit, tail: exit === 'timeout' ? started.output.slice(-20) : [] }).toEqual({ exit: { code: 78, signal: null }, tail: [] });
    const { output, pids } = started;

    const error = output.filter((line) => line.includes('API_TOKEN must NOT have fewer than 16 characters'));
    expect(error).toHaveLength(1);
    expect(error[0]).toMatch(/^api +\| +- API_TOKEN must NOT have fewer than 16 characters \(bearer token/);
    expect(output.filter((line) => line.startsWith('start-local | api started'))).toHaveLength(1);
    expect(output.filter((line) => line.includes('stopped unexpectedly'))).toEqual([]);
    expect(output).toContain('start-local | api exited (exit code 78)');
    expect(output.find((line) => line.startsWith('start-local | api refused its configuration (exit code 78, message above): not restarting it'))).toBeDefined();
    for (const name of ['worker', 'history']) expect(output.some((line) => line.startsWith(`start-local | ${name} exited (`))).toBe(true);
    expect(Object.keys(pids).sort()).toEqual(['api', 'history', 'worker']);
    expect(Object.values(pids).filter(alive)).toEqual([]);
  }, 120_000);
});
