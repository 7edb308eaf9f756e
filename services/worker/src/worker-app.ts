import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import { assertCallbackQueue, assertTopology, Topology, topologyNames } from '@aiopslab/shared/amqp/topology';
import { createSqlDb, SqlDb } from '@aiopslab/shared/db/sql';
import { findWorker } from '@aiopslab/shared/db/worker-registry';
import { ListenError } from '@aiopslab/shared/lifecycle/listen-error';
import { Shutdown } from '@aiopslab/shared/lifecycle/shutdown';
import { createLogger, Logger } from '@aiopslab/shared/logging/logger';
import { OutboxRelay } from '@aiopslab/shared/outbox/outbox-relay';
import type { ClusterProvider } from './clusters/cluster-provider';
import { createClusterProvider } from './clusters/create-cluster-provider';
import { refreshProblemCatalog } from './catalog/refresh-problem-catalog';
import type { WorkerSettings } from './config';
import type { Executor } from './executors/executor';
import { ProcessExecutor } from './executors/process-executor';
import { runnerPreflight } from './health/runner-preflight';
import { WorkerHealth } from './health/worker-health';
import { HealthReport, HealthServer } from './http/health-server';
import { WorkerMetrics } from './http/worker-metrics';
import { createDispatchHandler } from './messaging/dispatch-handler';
import { createWorkerConsumers, WorkerConsumers } from './messaging/worker-consumers';
import { WorkerActivity } from './presence/worker-activity';
import { WorkerIdLock } from './presence/worker-id-lock';
import { WorkerPresence } from './presence/worker-presence';
import { createProtocolParser } from './protocol/protocol-parser';
import { AdvisoryLockLeader, REAPER_LOCK_KEY } from './reaper/advisory-lock-leader';
import { Reaper } from './reaper/reaper';
import { Retention } from './retention/retention';
import { ActiveRun } from './run/run-control';
import { handleCallbackEvent } from './use-cases/handle-callback-event';
import { reapExpiredLeases } from './use-cases/reap-expired-leases';
import type { ProcessTaskDeps } from './use-cases/process-task';

export interface WorkerAppOptions {
  logger?: Logger;
  clusterProvider?: ClusterProvider;
  executor?: Executor;
  /** Register prom-client's process metrics (once per process; off for in-process test workers). */
  defaultMetrics?: boolean;
}

/**
 * The worker, wired: every part built from settings, started in order, and stopped through one
 * shutdown registry in reverse order (drain the running task first, close connections last).
 */
export class WorkerApp {
  readonly metrics: WorkerMetrics;
  readonly activity = new WorkerActivity();
  readonly active = new ActiveRun();
  readonly topology: Topology;
  readonly logger: Logger;
  readonly db: SqlDb;
  healthPort: number | null = null;
  private readonly connection: AmqpConnection;
  private readonly relay: OutboxRelay;
  private readonly clusters: ClusterProvider;
  private readonly consumers: WorkerConsumers;
  private readonly reaper: Reaper;
  private readonly leader: AdvisoryLockLeader;
  private readonly presence: WorkerPresence;
  private readonly idLock: WorkerIdLock;
  private readonly health: HealthServer;
  private readonly workerHealth: WorkerHealth;
  private readonly shutdown: Shutdown;

  constructor(readonly settings: WorkerSettings, options: WorkerAppOptions = {}) {
    const { env } = settings;
    const workerId = env.WORKER_ID;
    this.logger = (options.logger ?? createLogger('worker', env.LOG_LEVEL)).child({ worker_id: workerId });
    this.metrics = new WorkerMetrics(options.defaultMetrics ?? false);
    this.topology = topologyNames(env.QUEUE_PREFIX);
    this.db = createSqlDb(env.DATABASE_URL, env.DB_POOL_SIZE);
    this.clusters =
      options.clusterProvider ??
      createClusterProvider(env, {
        logger: this.logger,
        metricsRegistry: this.metrics.registry,
        workerId,
        workDir: path.join(env.WORK_DIR, 'cluster'),
        isWorkerActive: async (id) => ((await findWorker(this.db, id))?.status ?? 'offline') !== 'offline',
      });
    this.shutdown = new Shutdown(this.logger, settings.shutdownDeadlineMs + settings.killGraceMs + 15_000);

    this.connection = new AmqpConnection(env.AMQP_URL, this.logger, { connectionName: `worker ${workerId}` });
    this.connection.onConnected(async (model) => {
      const channel = await model.createChannel();
      await assertTopology(channel, this.topology, env.QUEUE_TYPE);
      await assertCallbackQueue(channel, this.topology, env.QUEUE_TYPE);
      await channel.close();
    });
    const publisher = new ConfirmPublisher(this.connection);
    this.relay = new OutboxRelay(this.db, publisher, this.logger, { pollIntervalMs: 1000 });
    const context = { db: this.db, topology: this.topology, settings, logger: this.logger, metrics: this.metrics, wakeRelay: () => this.relay.wake() };

    this.idLock = new WorkerIdLock(env.DATABASE_URL, workerId, this.db, this.logger);
    this.presence = new WorkerPresence(this.db, { id: workerId, hostname: settings.hostname, backend: this.clusters.name, version: settings.version }, this.activity, settings.heartbeatMs, this.logger);
    const executor = options.executor ?? new ProcessExecutor({ command: env.RUNNER_COMMAND, killGraceMs: settings.killGraceMs, maxLineBytes: env.LOG_MAX_LINE_BYTES, keepWorkDirs: env.KEEP_WORK_DIRS, passthroughEnv: settings.runnerEnv });
    const preflight = env.RUNNER_PREFLIGHT
      ? runnerPreflight({ db: this.db, logger: this.logger, runnerCommand: env.RUNNER_COMMAND, env: { ...settings.runnerEnv }, cwd: env.WORK_DIR, refreshCatalog: env.REFRESH_PROBLEMS_AT_START })
      : async () => ({ ok: true as const });
    // Held until the preflight passes: a worker that cannot run tasks must not take them.
    const dispatchGate = { hold: () => this.consumers.dispatch.hold(), release: () => this.consumers.dispatch.release() };
    this.workerHealth = new WorkerHealth({ check: preflight, gate: dispatchGate, activity: this.activity, beat: () => this.presence.beat(), logger: this.logger, recheck: settings.healthRecheckPolicy, onChange: (unhealthy) => this.metrics.unhealthy.set(unhealthy ? 1 : 0) });
    const taskDeps: ProcessTaskDeps = { ...context, executor, clusters: this.clusters, parser: createProtocolParser(), active: this.active, activity: this.activity, health: this.workerHealth, beat: () => this.presence.beatSoon() };
    this.consumers = createWorkerConsumers({
      connection: this.connection,
      topology: this.topology,
      workerId,
      logger: this.logger,
      onDeadLettered: () => this.metrics.deadLettered.inc(),
      dispatch: createDispatchHandler(taskDeps),
      cancel: (message) => this.onCancel(message.task_id, message.attempt),
      callback: (event, signal) => handleCallbackEvent(context, event, signal),
    });
    this.leader = new AdvisoryLockLeader(env.DATABASE_URL, REAPER_LOCK_KEY, this.logger);
    // Retention prunes under the same leadership, after the leases: one worker at a time.
    const retention = new Retention(this.db, settings.retention, this.logger);
    const reaperPass = async () => {
      await reapExpiredLeases(context);
      await retention.runIfDue();
    };
    this.reaper = new Reaper(this.leader, reaperPass, settings.reaperIntervalMs, this.logger, (leader) => this.metrics.leader.set(leader ? 1 : 0));
    this.health = new HealthServer(() => this.healthReport(), this.metrics.registry, this.logger);
  }

  /** Taking dispatch messages (false while draining, or until the broker is reachable). */
  get isConsuming(): boolean {
    return this.consumers.dispatch.isConsuming();
  }

  get isReaperLeader(): boolean {
    return this.leader.isLeader;
  }

  async start(): Promise<void> {
    const { settings, shutdown } = this;
    this.logger.info(
      this.clusters.name === 'none' ? 'worker starting without a Kubernetes cluster (CLUSTER_PROVIDER=none): for stand-in and demo runners only' : 'worker starting',
      { worker_id: settings.env.WORKER_ID, cluster_provider: this.clusters.name, runner_command: settings.env.RUNNER_COMMAND },
    );
    shutdown.add('database', () => this.db.$disconnect());
    // The port first: a worker that cannot serve /health stops before it registers or consumes.
    this.healthPort = await this.health.listen(settings.env.HEALTH_HOST, settings.env.HEALTH_PORT).catch((error: unknown) => {
      throw new ListenError(`worker ${settings.env.WORKER_ID} health server`, 'HEALTH_PORT', settings.env.HEALTH_HOST, settings.env.HEALTH_PORT, error);
    });
    shutdown.add('health server', () => this.health.close());
    await this.idLock.acquire(); // refuses to start while another live worker has this WORKER_ID
    shutdown.add('worker id lock', () => this.idLock.release());
    await mkdir(settings.env.WORK_DIR, { recursive: true });
    await this.clusters.checkPrerequisites();
    await this.clusters.start();
    shutdown.add('cluster provider', () => this.clusters.shutdown());
    await this.presence.register();
    this.presence.start();
    shutdown.add('amqp connection', () => this.connection.close());
    shutdown.add('worker registry (offline)', () => this.presence.stop());
    this.relay.start();
    shutdown.add('outbox relay (flush)', () => this.flushOutbox());
    const { dispatch, control, callbacks } = this.consumers;
    for (const consumer of [dispatch, control, callbacks]) consumer.start();
    await this.connection.start();
    shutdown.add('control queue', () => control.close());
    shutdown.add('callbacks', () => callbacks.close(Math.min(5000, settings.shutdownDeadlineMs)));
    this.reaper.start();
    shutdown.add('reaper', () => this.reaper.stop());
    shutdown.add('running task (drain or hand back)', () => this.drain());
    shutdown.add('health re-checks', () => this.workerHealth.stop());
    if (settings.env.REFRESH_PROBLEMS_AT_START && !settings.env.RUNNER_PREFLIGHT) {
      void refreshProblemCatalog({ db: this.db, logger: this.logger, runnerCommand: settings.env.RUNNER_COMMAND, env: { ...settings.runnerEnv }, cwd: settings.env.WORK_DIR });
    }
    this.logger.info('worker started', { health_port: this.healthPort, cluster_provider: this.clusters.name, queue_prefix: settings.env.QUEUE_PREFIX, preflight: settings.env.RUNNER_PREFLIGHT });
    // In the background: a slow AIOpsLab import must not hold up the health endpoint.
    void this.workerHealth.start();
  }

  /** Runs the shutdown steps once (later calls wait for the first). */
  stop(reason = 'stop requested'): Promise<void> {
    return this.shutdown.run(reason);
  }

  /** First signal: drain (the running task may finish); second: hand the task back now; third: exit. */
  installSignalHandlers(exit?: (code: number) => void): void {
    this.shutdown.installSignalHandlers(exit, () => this.handBackNow());
  }

  private handBackNow(): void {
    const taskId = this.active.control?.taskId;
    if (taskId) this.logger.warn('handing the running task back now', { task_id: taskId });
    this.active.control?.stop('shutdown');
  }

  private onCancel(taskId: string, attempt: number): void {
    const stopped = this.active.cancel(taskId);
    this.logger.info(stopped ? 'cancel request received; stopping the run' : 'cancel request for a task not running here; ignored', { task_id: taskId, attempt });
  }

  /** Stop taking tasks; let the running one finish within the deadline, else hand it back. */
  private async drain(): Promise<void> {
    this.activity.draining();
    await this.presence.beat();
    const { dispatch } = this.consumers;
    await dispatch.stopConsuming();
    if (dispatch.isBusy) {
      this.logger.warn('waiting for the running task to finish, then handing it back', {
        task_id: this.active.control?.taskId,
        deadline_seconds: this.settings.shutdownDeadlineMs / 1000,
        hint: 'a second SIGTERM / Ctrl-C hands it back now',
      });
      const finished = await Promise.race([dispatch.whenIdle().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), this.settings.shutdownDeadlineMs))]);
      if (!finished) {
        this.logger.warn('shutdown deadline reached; handing the running task back', { task_id: this.active.control?.taskId });
        this.active.control?.stop('shutdown');
        await dispatch.whenIdle();
      }
    }
    await dispatch.close();
  }

  private async flushOutbox(): Promise<void> {
    const deadline = Date.now() + 3000;
    try {
      while (Date.now() < deadline && (await this.relay.publishBatch()).published > 0);
    } catch (error) {
      this.logger.warn('outbox flush failed; other relays will publish the rest', { error: (error as Error).message });
    }
    await this.relay.stop();
  }

  private async healthReport(): Promise<HealthReport> {
    const database = await Promise.race([
      this.db.$queryRaw`SELECT 1`.then(() => 'up' as const, () => 'down' as const),
      new Promise<'down'>((r) => setTimeout(() => r('down'), 2000).unref()),
    ]);
    const queue = this.connection.isConnected() ? 'up' : 'down';
    const { status, currentTaskId } = this.activity.snapshot();
    const health = this.workerHealth.snapshot();
    return {
      status: health.health === 'unhealthy' ? 'unhealthy' : database === 'up' && queue === 'up' ? 'ok' : 'degraded',
      service: 'worker',
      worker_id: this.settings.env.WORKER_ID,
      database_status: database,
      queue_status: queue,
      worker_status: status,
      current_task_id: currentTaskId,
      ...health,
      consuming: this.consumers.dispatch.isConsuming(),
      reaper_leader: this.leader.isLeader,
      cluster_provider: this.clusters.name,
      version: this.settings.version,
    };
  }
}
