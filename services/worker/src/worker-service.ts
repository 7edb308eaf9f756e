import { mkdir } from 'node:fs/promises';
import type { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { ConfirmPublisher } from '@aiopslab/shared/amqp/confirm-publisher';
import { assertCallbackQueue, assertTopology, topologyNames } from '@aiopslab/shared/amqp/topology';
import type { SqlDb } from '@aiopslab/shared/db/sql';
import { createHealthServer, dependencyHealth, HealthReport, probeDatabase } from '@aiopslab/shared/http/health-server';
import { Shutdown } from '@aiopslab/shared/lifecycle/shutdown';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { OutboxRelay } from '@aiopslab/shared/outbox/outbox-relay';
import { createTaskStore } from '@aiopslab/shared/task-store/task-store';
import { dispatchWindowOf } from '@aiopslab/shared/task-store/dispatch-env';
import type { ClusterProvider } from './clusters/cluster-provider';
import { refreshProblemCatalog } from './maintenance/refresh-problem-catalog';
import type { WorkerSettings } from './config';
import type { Executor } from './tasks/executors/executor';
import { runnerPreflight } from './health/runner-preflight';
import { WorkerHealth, type CheckResult } from './health/worker-health';
import type { WorkerMetrics } from './worker-metrics';
import { createDispatchHandler } from './tasks/dispatch-handler';
import { createWorkerConsumers } from './worker-consumers';
import { WorkerActivity } from './presence/worker-activity';
import { WorkerPresence } from './presence/worker-presence';
import { createProtocolParser } from './tasks/protocol/protocol-parser';
import { LeaseLeader } from './maintenance/lease-leader';
import { REAPER_LEASE } from '@aiopslab/shared/tables/leader-leases';
import { Reaper } from './maintenance/reaper';
import { redispatchLost } from './maintenance/redispatch-lost';
import { Retention } from './maintenance/retention';
import { ActiveRun } from './tasks/run/run-control';
import { handleCallbackEvent } from './callbacks/handle-callback-event';
import { callbackSettings } from './callbacks/deliver-callback';
import { taskSettings } from './tasks/task-settings';
import { reapExpiredLeases } from './maintenance/reap-expired-leases';
import type { ProcessTaskDeps } from './tasks/process-task';
import { drainDispatch } from './tasks/drain-dispatch';

/**
 * What main.ts (or a test) builds and owns. The service starts the connection itself, once it holds
 * its WORKER_ID and is registered; the caller closes the connection and the database after stop().
 */
export interface WorkerClients {
  db: SqlDb;
  connection: AmqpConnection;
  /** Already a child with this worker's worker_id. */
  logger: Logger;
  metrics: WorkerMetrics;
  clusters: ClusterProvider;
  executor: Executor;
  /** Kind workers: the doctor's cheap host checks, run before the runner preflight. */
  hostChecks?: (signal: AbortSignal) => Promise<CheckResult>;
  /** Closes the connection and the database (after stop()). */
  close(): Promise<void>;
}

export interface WorkerService {
  readonly metrics: WorkerMetrics;
  /** The port of /health and /metrics, once started. */
  readonly healthPort: number | null;
  /** Taking dispatch messages (false while held, draining, or until the broker is reachable). */
  readonly isConsuming: boolean;
  readonly isReaperLeader: boolean;
  /** Serves /health, claims the WORKER_ID lease (registering), starts the cluster provider, starts consuming. */
  start(): Promise<void>;
  /** Drains (the running task may finish within the deadline, else is handed back), then stops every part in reverse order. */
  stop(reason?: string): Promise<void>;
  /** Stops the running task now so it is handed back (a second SIGTERM). */
  handBackNow(): void;
  health(): Promise<HealthReport>;
}

/** Each worker's own fallback poll of the outbox; the reaper leader polls for the fleet. */
const WORKER_RELAY_POLL_MS = 10 * 60_000;

/** Wires the worker from clients built by the caller (main.ts or a test). */
export function createWorkerService(clients: WorkerClients, settings: WorkerSettings): WorkerService {
  const { db, connection, logger, metrics, clusters, executor } = clients;
  const { env } = settings;
  const workerId = env.WORKER_ID;
  const topology = topologyNames(env.QUEUE_PREFIX);
  const activity = new WorkerActivity();
  const active = new ActiveRun();
  const steps = new Shutdown(logger, settings.shutdownDeadlineMs + settings.killGraceMs + 15_000);

  connection.onConnected(async (model) => {
    const channel = await model.createChannel();
    await assertTopology(channel, topology, env.QUEUE_TYPE);
    await assertCallbackQueue(channel, topology, env.QUEUE_TYPE);
    await channel.close();
  });
  // Each worker's relay publishes its own commits at once; the fallback poll for rows nobody
  // announced (a writer that died after its commit) is the reaper leader's: it wakes its relay
  // every pass. A poll per worker would cost the database N statements a second while idle.
  const relay = new OutboxRelay(db, new ConfirmPublisher(connection), logger, { pollIntervalMs: WORKER_RELAY_POLL_MS });
  const dispatch = { window: dispatchWindowOf(env), onError: (error: Error) => logger.error('dispatch pass failed; the next one retries', { error: error.message }) };
  const context = { tasks: createTaskStore({ db, topology, outbox: relay, dispatch }), db, logger, metrics };
  const registration = { id: workerId, hostname: settings.hostname, backend: clusters.name, version: settings.version };
  const presence = new WorkerPresence(
    db,
    registration,
    activity,
    {
      intervalMs: settings.heartbeatMs,
      staleMs: settings.staleWorkerMs,
      onTakenOver: () => consumers.dispatch.hold(),
      onLeaderLease: (remainingMs) => leader.observe(remainingMs),
    },
    logger,
  );
  const runnerCheck = env.RUNNER_PREFLIGHT
    ? runnerPreflight({ db, logger, runnerCommand: env.RUNNER_COMMAND, env: { ...settings.runnerEnv }, cwd: env.WORK_DIR, refreshCatalog: env.REFRESH_PROBLEMS_AT_START })
    : async (): Promise<CheckResult> => ({ ok: true });
  const preflight = async (signal: AbortSignal): Promise<CheckResult> => {
    const host = clients.hostChecks ? await clients.hostChecks(signal) : { ok: true as const };
    return host.ok ? runnerCheck(signal) : host;
  };
  // Dispatch is held until the preflight passes: a worker that cannot run tasks must not take them.
  const gate = { hold: () => consumers.dispatch.hold(), release: () => (presence.takenOver ? undefined : consumers.dispatch.release()) };
  const workerHealth = new WorkerHealth({
    check: preflight,
    cluster: clusters,
    clusterSetupTimeoutMs: env.CLUSTER_SETUP_TIMEOUT_SECONDS * 1000,
    gate,
    activity,
    beat: () => presence.beat(),
    logger,
    recheck: settings.healthRecheckPolicy,
    onChange: (unhealthy) => metrics.unhealthy.set(unhealthy ? 1 : 0),
  });
  const taskDeps: ProcessTaskDeps = { ...context, settings: taskSettings(settings), executor, clusters, parser: createProtocolParser(), active, activity, health: workerHealth, beat: () => presence.beatSoon() };
  const onCancel = (taskId: string, attempt: number) => {
    const stopped = active.cancel(taskId);
    logger.info(stopped ? 'cancel request received; stopping the run' : 'cancel request for a task not running here; ignored', { task_id: taskId, attempt });
  };
  const consumers = createWorkerConsumers({
    connection,
    topology,
    workerId,
    logger,
    onDeadLettered: () => metrics.deadLettered.inc(),
    dispatch: createDispatchHandler(taskDeps),
    cancel: (message) => onCancel(message.task_id, message.attempt),
    callback: (event, signal, mayHaveCallback) => handleCallbackEvent({ ...context, settings: callbackSettings(settings) }, event, signal, mayHaveCallback),
  });
  const leader = new LeaseLeader(db, REAPER_LEASE, presence.holder, Math.max(3 * settings.reaperIntervalMs, 1000), logger);
  // Retention prunes under the same leadership, after the leases: one worker at a time.
  const retention = new Retention(db, settings.retention, logger);
  const reaperContext = { ...context, settings: { workerId, staleWorkerMs: settings.staleWorkerMs, retryPolicy: settings.retryPolicy } };
  const reaperPass = async () => {
    await reapExpiredLeases(reaperContext);
    relay.wake(); // the fleet's outbox fallback poll
    // The dispatch window's safety net: a pass lost with its process, a window grown by new workers.
    await context.tasks.dispatcher.pass().catch((error: Error) => logger.error('dispatch pass failed; the next one retries', { error: error.message }));
    await retention.runIfDue();
    await redispatchLost({ connection, dispatchQueue: topology.queues.dispatch, tasks: context.tasks, logger, lostAfterMs: settings.dispatchLostAfterMs });
  };
  const reaper = new Reaper(leader, reaperPass, settings.reaperIntervalMs, logger, (isLeader) => metrics.leader.set(isLeader ? 1 : 0));

  const health = async (): Promise<HealthReport> => {
    const database = await probeDatabase(db);
    const queue = connection.isConnected() ? 'up' : 'down';
    const { status, currentTaskId } = activity.snapshot();
    const environment = workerHealth.snapshot();
    return {
      status: environment.health === 'unhealthy' ? 'unhealthy' : dependencyHealth(database, queue),
      service: 'worker',
      worker_id: workerId,
      database_status: database,
      queue_status: queue,
      worker_status: status,
      current_task_id: currentTaskId,
      ...environment,
      consuming: consumers.dispatch.isConsuming(),
      reaper_leader: leader.isLeader,
      cluster_provider: clusters.name,
      version: settings.version,
    };
  };
  const server = createHealthServer('worker', health, metrics.registry, logger);
  let healthPort: number | null = null;
  const handBackNow = () => {
    const taskId = active.control?.taskId;
    if (taskId) logger.warn('handing the running task back now', { task_id: taskId });
    active.control?.stop('shutdown');
  };

  return {
    metrics,
    health,
    handBackNow,
    get healthPort() {
      return healthPort;
    },
    get isConsuming() {
      return consumers.dispatch.isConsuming();
    },
    get isReaperLeader() {
      return leader.isLeader;
    },
    async start() {
      logger.info(
        clusters.name === 'none' ? 'worker starting without a Kubernetes cluster (CLUSTER_PROVIDER=none): for stand-in and demo runners only' : 'worker starting',
        { worker_id: workerId, cluster_provider: clusters.name, runner_command: env.RUNNER_COMMAND },
      );
      // The port first: a worker that cannot serve /health stops before it registers or consumes.
      healthPort = await server.listen(env.HEALTH_PORT, env.HEALTH_HOST);
      steps.add('health server', () => server.close());
      // Claims the WORKER_ID lease (refuses to start while another live worker holds it) and
      // beats from now on, so a slow cluster start cannot let the lease go stale.
      await presence.register();
      presence.start();
      steps.add('worker registry (offline, WORKER_ID free)', () => presence.stop());
      await mkdir(env.WORK_DIR, { recursive: true });
      await clusters.checkPrerequisites();
      await clusters.start();
      steps.add('cluster provider', () => clusters.shutdown());
      relay.start();
      steps.add('outbox relay (flush)', () => flushOutbox(relay, logger));
      steps.add('dispatch pass', () => context.tasks.dispatcher.idle());
      for (const consumer of Object.values(consumers)) consumer.start();
      await connection.start();
      steps.add('control queue', () => consumers.control.close());
      steps.add('callbacks', () => consumers.callbacks.close(Math.min(5000, settings.shutdownDeadlineMs)));
      reaper.start();
      steps.add('reaper', () => reaper.stop());
      steps.add('running task (drain or hand back)', () => drainDispatch({ dispatch: consumers.dispatch, activity, presence, active, logger, deadlineMs: settings.shutdownDeadlineMs }));
      steps.add('health re-checks', () => workerHealth.stop());
      if (env.REFRESH_PROBLEMS_AT_START && !env.RUNNER_PREFLIGHT) {
        void refreshProblemCatalog({ db, logger, runnerCommand: env.RUNNER_COMMAND, env: { ...settings.runnerEnv }, cwd: env.WORK_DIR });
      }
      logger.info('worker started', { health_port: healthPort, cluster_provider: clusters.name, queue_prefix: env.QUEUE_PREFIX, preflight: env.RUNNER_PREFLIGHT });
      // In the background: a slow AIOpsLab import or cluster creation must not hold up the health endpoint.
      void workerHealth.start();
    },
    stop: (reason = 'stop requested') => steps.run(reason),
  };
}

async function flushOutbox(relay: OutboxRelay, logger: Logger): Promise<void> {
  const deadline = Date.now() + 3000;
  try {
    while (Date.now() < deadline && (await relay.publishBatch()).published > 0);
  } catch (error) {
    logger.warn('outbox flush failed; other relays will publish the rest', { error: (error as Error).message });
  }
  await relay.stop();
}
