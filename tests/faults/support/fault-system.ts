import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createPrismaClient, Db } from '../../../shared/src/db/prisma-client';
import { createTestEnv, TestEnv } from '../../support/test-env';
import { managementApi } from '../../support/test-services';
import { freePort, ServiceProcess } from '../../support/service-process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
export const FAULT_RUNNER = path.join(ROOT, 'tests/faults/fixtures/fault-runner.js');
const PROBLEMS = ['k8s_target_port-misconfig-detection-1', 'container_kill-detection', 'misconfig_app_hotel_res-mitigation-1', 'revoke_auth_mongodb-analysis-2'];

export interface Submission {
  /** The final answer: 201 created, 200 idempotent replay, 0 no answer. */
  status: number;
  taskId?: string;
  /** Requests it took (more than one when the API was down). */
  attempts: number;
}

export interface FaultSystemOptions {
  workers?: number;
  leaseSeconds?: number;
  /** Environment every service gets on top of the test's (e.g. AMQP_URL listing a cluster's nodes, QUEUE_TYPE). */
  env?: Record<string, string>;
  /** The management API whose queues waitQueuesEmpty reads (default: the test broker's). */
  managementUrl?: string;
}

/**
 * api, history and three workers as real processes over a fresh database and queue prefix,
 * with short leases so faults resolve in seconds. Every killed process is restarted the way a
 * supervisor (docker compose `restart:`, Kubernetes) would.
 */
export class FaultSystem {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  readonly runLog = path.join(this.dir, 'runs.jsonl');
  env!: TestEnv;
  db!: Db;
  api!: ServiceProcess;
  history!: ServiceProcess;
  workers: ServiceProcess[] = [];
  apiUrl = '';
  readonly submissions: Submission[] = [];

  constructor(readonly options: FaultSystemOptions = {}) {}

  async start(): Promise<void> {
    this.env = await createTestEnv();
    this.db = createPrismaClient(this.env.databaseUrl, 4);
    const common = { ...this.env.env, LOG_LEVEL: 'info', ...this.options.env };
    const apiPort = await freePort();
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
    this.api = new ServiceProcess('api', 'api', { ...common, PORT: String(apiPort), HOST: '127.0.0.1' }, `${this.apiUrl}/health`, path.join(this.dir, 'api.log'));
    const historyPort = await freePort();
    this.history = new ServiceProcess('history', 'history', { ...common, HEALTH_PORT: String(historyPort), HEALTH_HOST: '127.0.0.1' }, `http://127.0.0.1:${historyPort}/health`, path.join(this.dir, 'history.log'));
    await Promise.all([this.api.start(), this.history.start()]);
    const lease = this.options.leaseSeconds ?? 3;
    for (let i = 1; i <= (this.options.workers ?? 3); i++) {
      const port = await freePort();
      const id = `fault-w${i}`;
      this.workers.push(
        new ServiceProcess(id, 'worker', {
          ...common,
          WORKER_ID: id,
          CLUSTER_PROVIDER: 'none',
          RUNNER_COMMAND: `${process.execPath} ${FAULT_RUNNER}`,
          REFRESH_PROBLEMS_AT_START: 'false',
          RUNNER_PREFLIGHT: 'false',
          AIOPSLAB_RUNNER_RUN_LOG: this.runLog,
          AIOPSLAB_RUNNER_WORKER: id,
          WORK_DIR: path.join(this.dir, 'work', id),
          LEASE_SECONDS: String(lease),
          HEARTBEAT_INTERVAL_SECONDS: '0.5',
          WORKER_STALE_SECONDS: '3',
          REAPER_INTERVAL_SECONDS: '0.5',
          KILL_GRACE_SECONDS: '1',
          SHUTDOWN_DEADLINE_SECONDS: '5',
          RETRY_BASE_SECONDS: '0.2',
          RETRY_CAP_SECONDS: '1',
          HEALTH_PORT: String(port),
          HEALTH_HOST: '127.0.0.1',
        }, `http://127.0.0.1:${port}/health`, path.join(this.dir, `${id}.log`)),
      );
    }
    await Promise.all(this.workers.map((w) => w.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers, this.api, this.history].map((p) => p.stop().catch(() => undefined)));
    await this.db?.$disconnect();
    if (process.env.KEEP_FAULT_LOGS !== '1') fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Submits `count` tasks of mixed length, `concurrency` at a time, each with its own
   * Idempotency-Key and retried like a careful client until the API answers (201, or 200 for a
   * replay of a task stored before a crash cut the first answer off).
   */
  async submit(count: number, concurrency = 8, durationMs: [number, number] = [100, 1500]): Promise<Submission[]> {
    const mine: Submission[] = [];
    let next = 0;
    const runId = Math.random().toString(36).slice(2);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = next++;
          const duration = durationMs[0] + ((i * 7919) % (durationMs[1] - durationMs[0] + 1));
          const body = JSON.stringify({ problem_id: PROBLEMS[i % PROBLEMS.length], max_retries: 3, priority: i % 10, parameters: { duration_ms: duration }, agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } });
          const submission: Submission = { status: 0, attempts: 0 };
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline) {
            submission.attempts++;
            const answer = await fetch(`${this.apiUrl}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `${runId}-${i}` }, body }).then(
              async (res) => ({ status: res.status, taskId: res.status < 300 ? ((await res.json()) as { task_id: string }).task_id : undefined }),
              () => ({ status: 0, taskId: undefined }),
            );
            Object.assign(submission, answer);
            if (answer.status > 0 && answer.status < 500) break;
            await new Promise((r) => setTimeout(r, 200));
          }
          mine.push(submission);
          this.submissions.push(submission);
        }
      }),
    );
    return mine;
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db.task.groupBy({ by: ['status'], _count: { _all: true } });
    return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
  }

  async waitAllTerminal(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open = await this.db.task.count({ where: { status: { in: ['pending', 'processing', 'retrying'] } } }).catch(() => -1);
      if (open === 0) return;
      if (Date.now() > deadline) throw new Error(`${open} tasks still not finished after ${timeoutMs} ms: ${JSON.stringify(await this.countByStatus())}; logs in ${this.dir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Waits until this system's queues hold no message (ready or unacked). */
  async waitQueuesEmpty(timeoutMs: number): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await managementApi('/api/queues/%2F?columns=name,messages', {}, this.options.managementUrl);
      const queues = ((await res.json()) as { name: string; messages?: number }[]).filter((q) => q.name.startsWith(this.env.queuePrefix));
      const left = Object.fromEntries(queues.filter((q) => (q.messages ?? 0) > 0).map((q) => [q.name.slice(this.env.queuePrefix.length), q.messages ?? 0]));
      if (Object.keys(left).length === 0 || Date.now() > deadline) return left;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * `npm run history:verify` against this database, repeated until the history service has
   * caught up (events may still be in flight right after the last task finished) or 30 s pass.
   */
  async verifyHistory(): Promise<{ ok: boolean; gaps: number; duplicates: number; inconsistencies: number; output: string }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const report = await this.verifyOnce();
      if (report.ok || Date.now() > deadline) return report;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async verifyOnce() {
    try {
      const { stdout } = await run(process.execPath, [path.join(ROOT, 'services/history/dist/verify-cli.js'), '--json', '--settle-ms', '0'], { env: { ...process.env, DATABASE_URL: this.env.databaseUrl } });
      return { ok: true, ...summarize(stdout), output: stdout };
    } catch (error) {
      const stdout = (error as { stdout?: string }).stdout ?? String(error);
      return { ok: false, ...summarize(stdout), output: stdout };
    }
  }
}

function summarize(stdout: string): { gaps: number; duplicates: number; inconsistencies: number } {
  try {
    const { summary } = JSON.parse(stdout) as { summary: { gaps: number; duplicates: number; inconsistencies: number } };
    return { gaps: summary.gaps, duplicates: summary.duplicates, inconsistencies: summary.inconsistencies };
  } catch {
    return { gaps: -1, duplicates: -1, inconsistencies: -1 };
  }
}

export async function restartRabbitMq(downMs: number): Promise<void> {
  await run('rabbitmqctl', ['stop_app']);
  await new Promise((r) => setTimeout(r, downMs));
  await run('rabbitmqctl', ['start_app']);
}

export async function restartPostgres(): Promise<void> {
  const versions = fs.readdirSync('/etc/postgresql');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'restart', '-m', 'fast']);
}
