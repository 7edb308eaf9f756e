import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { topologyNames, Topology } from '../../../../shared/src/amqp/topology';
import { createPrismaClient, Db, Prisma } from '../../../../shared/src/db/prisma-client';
import { createLogger } from '../../../../shared/src/logging/logger';
import { enqueueOutbox } from '../../../../shared/src/tables/outbox';
import { MESSAGE_TYPES } from '../../../../shared/src/schemas/messages';
import { createTestEnv, TestEnv } from '../../../../tests/support/test-env';
import { waitUntil } from '../../../../tests/support/amqp-helpers';
import { TEST_AMQP_URL } from '../../../../tests/support/test-services';
import { loadWorkerSettings, WorkerOverrides, WorkerSettings } from '../../src/config';
import { createWorkerClients, WorkerClientOptions } from '../../src/worker-clients';
import { createWorkerService, WorkerClients, WorkerService } from '../../src/worker-service';

export const FIXTURES = path.resolve(__dirname, '../fixtures');

/** RUNNER_COMMAND for a stand-in runner (`select` plays the one named in the task parameters). */
export function fixtureCommand(name = 'select', envPrefix = ''): string {
  return `${envPrefix}'${process.execPath}' '${path.join(FIXTURES, `${name}.js`)}'`;
}

/** Short durations (with the config's minimums) so scenarios take seconds. */
export const FAST_ENV: Record<string, string> = {
  LEASE_SECONDS: '3',
  HEARTBEAT_INTERVAL_SECONDS: '0.5',
  WORKER_STALE_SECONDS: '5',
  REAPER_INTERVAL_SECONDS: '0.5',
  KILL_GRACE_SECONDS: '1',
  SHUTDOWN_DEADLINE_SECONDS: '10',
  RETRY_BASE_SECONDS: '0.2',
  RETRY_CAP_SECONDS: '1',
  CALLBACK_RETRY_BASE_SECONDS: '0.05',
  CALLBACK_TIMEOUT_SECONDS: '1',
  HEALTH_HOST: '127.0.0.1',
  HEALTH_PORT: '0',
  REFRESH_PROBLEMS_AT_START: 'false',
  RUNNER_PREFLIGHT: 'false',
  HEALTH_RECHECK_BASE_SECONDS: '0.2',
  HEALTH_RECHECK_CAP_SECONDS: '1',
  DB_POOL_SIZE: '4',
  CLUSTER_PROVIDER: 'none',
};

/** A worker in this process, composed as main.ts composes it: its clients, the service, and a stop that closes both. */
export class TestWorker {
  private stopping: Promise<void> | null = null;

  constructor(
    readonly service: WorkerService,
    readonly clients: WorkerClients,
    readonly settings: WorkerSettings,
  ) {}

  get metrics() {
    return this.service.metrics;
  }

  get healthPort() {
    return this.service.healthPort;
  }

  get isConsuming() {
    return this.service.isConsuming;
  }

  get isReaperLeader() {
    return this.service.isReaperLeader;
  }

  start(): Promise<void> {
    return this.service.start();
  }

  stop(reason = 'test'): Promise<void> {
    this.stopping ??= (async () => {
      await this.service.stop(reason);
      await this.clients.close();
    })();
    return this.stopping;
  }
}

export interface StartOptions extends WorkerClientOptions {
  env?: Record<string, string>;
  overrides?: WorkerOverrides;
  /** How long startWorker waits for it to consume (a worker prepares its cluster first). */
  consumingWithinMs?: number;
}

/** One test file's database, queue prefix, work directory and in-process workers. */
export class WorkerHarness {
  readonly workers: TestWorker[] = [];
  readonly logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'error', !process.env.TEST_LOG_LEVEL);

  private constructor(
    readonly env: TestEnv,
    readonly db: Db,
    readonly topology: Topology,
    readonly workDir: string,
  ) {}

  static async create(): Promise<WorkerHarness> {
    const env = await createTestEnv();
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'worker-test-'));
    return new WorkerHarness(env, createPrismaClient(env.databaseUrl, 4), topologyNames(env.queuePrefix), workDir);
  }

  /** The environment a worker of this harness reads. */
  workerEnv(id: string, env: Record<string, string> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.env.env, ...FAST_ENV, WORKER_ID: id, WORK_DIR: this.workDir, RUNNER_COMMAND: fixtureCommand(), ...env };
  }

  /** Builds and starts a worker without waiting for it to consume (it may never). */
  async launchWorker(id: string, options: StartOptions = {}): Promise<TestWorker> {
    const settings = loadWorkerSettings(this.workerEnv(id, options.env), { hostname: 'test-host', ...options.overrides });
    const clients = createWorkerClients(settings, this.logger, options);
    const worker = new TestWorker(createWorkerService(clients, settings), clients, settings);
    this.workers.push(worker);
    await worker.start();
    return worker;
  }

  async startWorker(id: string, options: StartOptions = {}): Promise<TestWorker> {
    const worker = await this.launchWorker(id, options);
    await waitUntil(() => worker.isConsuming, options.consumingWithinMs ?? 10_000, `worker ${id} consuming`);
    return worker;
  }

  async stopWorker(worker: TestWorker): Promise<void> {
    await worker.stop('test');
    this.workers.splice(this.workers.indexOf(worker), 1);
  }

  /** Inserts a task and its dispatch message in one transaction, as the API does. */
  async submit(overrides: Partial<Prisma.TaskCreateInput> & { fixture?: string; fixtureEnv?: Record<string, string> } = {}) {
    const { fixture, fixtureEnv, ...fields } = overrides;
    const id = randomUUID();
    const parameters = fixture ? { fixture, env: fixtureEnv ?? {} } : (fields.parameters ?? {});
    return this.db.$transaction(async (tx) => {
      const task = await tx.task.create({
        data: {
          id,
          problemId: 'k8s_target_port-misconfig-detection-1',
          status: 'pending',
          agentConfig: { kind: 'scripted', actions: ['submit("Yes")'] },
          maxSteps: 10,
          timeoutMinutes: 30,
          maxRetries: 2,
          dispatchedAt: new Date(), // its dispatch message is written here, not by a dispatch pass
          ...fields,
          parameters: parameters as Prisma.InputJsonValue,
        },
      });
      await enqueueOutbox(tx, [this.dispatchMessage(id, task.priority)]);
      return task;
    });
  }

  dispatchMessage(taskId: string, priority = 0, correlationId = `corr-${taskId.slice(0, 8)}`) {
    return { exchange: this.topology.exchanges.tasks, routingKey: this.topology.routing.dispatch, type: MESSAGE_TYPES.dispatch, payload: { task_id: taskId }, priority, correlationId };
  }

  /** Publishes raw bytes to an exchange (poison messages, duplicates). */
  async publishRaw(exchange: string, routingKey: string, content: Buffer | string, options: amqp.Options.Publish = {}): Promise<void> {
    const connection = await amqp.connect(TEST_AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(exchange, routingKey, Buffer.isBuffer(content) ? content : Buffer.from(content), { persistent: true, ...options });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  async queueDepth(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
    const connection = await amqp.connect(TEST_AMQP_URL);
    try {
      const channel = await connection.createChannel();
      return await channel.checkQueue(queue);
    } finally {
      await connection.close();
    }
  }

  async waitForStatus(taskId: string, statuses: string | string[], timeoutMs = 15_000) {
    const wanted = Array.isArray(statuses) ? statuses : [statuses];
    let last = '';
    await waitUntil(
      async () => {
        const task = await this.db.task.findUnique({ where: { id: taskId } });
        last = task?.status ?? 'missing';
        return wanted.includes(last);
      },
      timeoutMs,
      `task ${taskId} to become ${wanted.join(' or ')} (last seen: ${last})`,
    ).catch(async (error) => {
      const logs = await this.logs(taskId);
      throw new Error(`${(error as Error).message}\nlogs:\n${logs.map((l) => `${l.seq} ${l.stream} ${l.message.slice(0, 200)}`).join('\n')}`);
    });
    return this.db.task.findUniqueOrThrow({ where: { id: taskId } });
  }

  logs(taskId: string) {
    return this.db.taskLog.findMany({ where: { taskId }, orderBy: { seq: 'asc' } });
  }

  /** The task.events of a task, in order (read from the outbox, which holds every published event). */
  async events(taskId: string): Promise<{ from_status: string | null; to_status: string; attempt: number; worker_id: string | null; notes: string }[]> {
    const rows = await this.db.outboxMessage.findMany({ where: { exchange: this.topology.exchanges.events }, orderBy: { id: 'asc' } });
    return rows.map((row) => row.payload as never as { task_id: string; from_status: string | null; to_status: string; attempt: number; worker_id: string | null; notes: string }).filter((event) => event.task_id === taskId);
  }

  async close(): Promise<void> {
    for (const worker of this.workers.splice(0)) await worker.stop('test teardown').catch(() => undefined);
    await this.db.$disconnect();
    await this.env.drop();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
