import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Topology, topologyNames } from '../../../shared/src/amqp/topology';
import { createPrismaClient, Db } from '../../../shared/src/db/prisma-client';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { claim, historyCount, startRelay, submitTask, transition } from './support/history-harness';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'services/history/dist/main.js');
const VERIFY = path.join(ROOT, 'services/history/dist/verify-cli.js');

/** The history service as a real process, its output kept for the failure message. */
function spawnHistory(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout!.on('data', (chunk) => chunks.push(String(chunk)));
  child.stderr!.on('data', (chunk) => chunks.push(String(chunk)));
  return { child, output: () => chunks.join('').slice(-4000) };
}

/** Runs whole task lifecycles on several "workers" until stopped; every lifecycle it starts, it finishes. */
class TransitionDriver {
  events = 0;
  readonly tasks: string[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly db: Db,
    private readonly topology: Topology,
    concurrency: number,
  ) {
    this.loops = Array.from({ length: concurrency }, (_, i) => this.loop(`worker-${i}`));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(workerId: string): Promise<void> {
    for (let n = 0; this.running; n++) {
      const { db, topology } = this;
      const id = await submitTask(db, topology);
      this.tasks.push(id);
      this.events++;
      if (n % 4 === 3) {
        await transition(db, topology, id, 'cancelled', { notes: 'cancelled by request', eventWorkerId: null });
        this.events++;
        continue;
      }
      await claim(db, topology, id, workerId);
      this.events++;
      if (n % 4 === 1) {
        await transition(db, topology, id, 'retrying', { notes: 'retry 1 of 2' });
        await claim(db, topology, id, workerId);
        this.events += 2;
      }
      await transition(db, topology, id, n % 4 === 2 ? 'failed' : 'completed', { notes: 'finished' });
      this.events++;
    }
  }
}

describe('status-history fault: the process is killed mid-stream', () => {
  let env: TestEnv;
  let db: Db;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let tmp: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // The spawned process runs the compiled service: build it (and shared) from the current sources.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'services/history/tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl, 10);
    relay = await startRelay(env);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'history-fault-'));
  }, 120_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await relay?.stop();
    await db?.$disconnect();
    await env?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('after SIGKILL and a restart, every transition is recorded exactly once and the verification command is clean', async () => {
    const readyFile = path.join(tmp, 'ready');
    const serviceEnv = { ...env.env, HEALTH_PORT: '0', HEALTH_HOST: '127.0.0.1', READY_FILE: readyFile, LOG_LEVEL: 'warn', BATCH_SIZE: '10', PREFETCH: '100' };
    const start = async () => {
      const started = spawnHistory(serviceEnv);
      children.push(started.child);
      await waitUntil(() => existsSync(readyFile) || started.child.exitCode !== null, 20_000, 'history ready file');
      if (!existsSync(readyFile)) throw new Error(`history exited early:\n${started.output()}`);
      return started;
    };

    const driver = new TransitionDriver(db, topologyNames(env.queuePrefix), 8);
    try {
      // A backlog first, so that the service is busy with batches in flight when it is killed.
      await waitUntil(() => driver.events >= 300, 30_000, 'a backlog of transitions on the queue');
      const first = await start();
      await waitUntil(async () => (await historyCount(db)) > 0, 20_000, 'history recording the backlog');
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
      rmSync(readyFile, { force: true }); // a killed process leaves its ready file behind
      const eventsAtKill = driver.events;
      await waitUntil(() => driver.events >= eventsAtKill + 120, 20_000, 'transitions piling up while history is down');

      const second = await start();
      const recordedAtRestart = await historyCount(db);
      await waitUntil(async () => (await historyCount(db)) >= recordedAtRestart + 120, 20_000, 'history catching up while load goes on');
      await driver.stop();
      // Lost events never arrive: wait a while, then compare (the count names the loss).
      await waitUntil(async () => (await historyCount(db)) >= driver.events, 20_000, 'all events recorded').catch(() => undefined);
      expect(await historyCount(db)).toBe(driver.events);

      const { stdout } = await promisify(execFile)(process.execPath, [VERIFY, '--json', '--settle-ms', '0'], { cwd: ROOT, env: { DATABASE_URL: env.databaseUrl } }).catch((error) => {
        throw new Error(`history:verify failed (exit ${error.code}):\n${error.stdout}\n${error.stderr}`);
      });
      const report = JSON.parse(stdout);
      expect(report.summary).toMatchObject({ ok: true, tasks_checked: driver.tasks.length, events_checked: driver.events, gaps: 0, duplicates: 0, inconsistencies: 0 });

      // A graceful stop after all that: SIGTERM finishes the batch and exits 0.
      second.child.kill('SIGTERM');
      const [code] = await once(second.child, 'exit');
      expect({ code, output: code === 0 ? '' : second.output() }).toEqual({ code: 0, output: '' });
      expect(existsSync(readyFile)).toBe(false);
    } finally {
      await driver.stop();
    }
  }, 120_000);
});
