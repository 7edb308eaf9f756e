import path from 'node:path';
import { AmqpConnection } from '@aiopslab/shared/amqp/amqp-connection';
import { createSqlDb } from '@aiopslab/shared/db/sql';
import { sqlDbOptions } from '@aiopslab/shared/db/database-env';
import { findWorker } from '@aiopslab/shared/tables/workers';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterProvider } from './clusters/cluster-provider';
import { createClusterProvider, newDockerClient } from './clusters/create-cluster-provider';
import type { WorkerSettings } from './config';
import type { Executor } from './tasks/executors/executor';
import { createProblemCleanup } from './tasks/executors/problem-cleanup';
import { ProcessExecutor } from './tasks/executors/process-executor';
import { hostPreflight } from './health/host-preflight';
import { WorkerMetrics } from './worker-metrics';
import type { WorkerClients } from './worker-service';

export interface WorkerClientOptions {
  /** Stand-ins for tests; by default built from the settings. */
  clusterProvider?: ClusterProvider;
  executor?: Executor;
  /** Register prom-client's process metrics (once per process; off for in-process test workers). */
  defaultMetrics?: boolean;
}

/**
 * The worker's clients and adapters, built from its settings: for composition roots only
 * (main.ts, and tests that run a worker in process). The caller closes the database and the
 * connection after the service stopped.
 */
export function createWorkerClients(settings: WorkerSettings, baseLogger: Logger, options: WorkerClientOptions = {}): WorkerClients {
  const { env } = settings;
  const logger = baseLogger.child({ worker_id: env.WORKER_ID });
  const metrics = new WorkerMetrics(options.defaultMetrics ?? false);
  const db = createSqlDb(env.DATABASE_URL, env.DB_POOL_SIZE, sqlDbOptions(env));
  const connection = new AmqpConnection(env.AMQP_URL, logger, { connectionName: `worker ${env.WORKER_ID}` });
  const clusters =
    options.clusterProvider ??
    createClusterProvider(env, {
      logger,
      metricsRegistry: metrics.registry,
      workerId: env.WORKER_ID,
      workDir: path.join(env.WORK_DIR, 'cluster'),
      commandEnv: settings.toolEnv,
      isWorkerActive: async (id) => ((await findWorker(db, id))?.status ?? 'offline') !== 'offline',
      cleanupProblem: createProblemCleanup({ command: env.RUNNER_COMMAND, passthroughEnv: settings.runnerEnv, workRoot: env.WORK_DIR, killGraceMs: settings.killGraceMs }),
    });
  const executor =
    options.executor ??
    new ProcessExecutor({ command: env.RUNNER_COMMAND, killGraceMs: settings.killGraceMs, maxLineBytes: env.LOG_MAX_LINE_BYTES, keepWorkDirs: env.KEEP_WORK_DIRS, passthroughEnv: settings.runnerEnv });
  // The host checks belong to the real kind provider: an injected provider (tests) has its own tools.
  const hostChecks =
    !options.clusterProvider && env.CLUSTER_PROVIDER === 'kind' ? hostPreflight({ settings, env: settings.toolEnv, docker: newDockerClient, logger }) : undefined;
  const close = async () => {
    await connection.close();
    await db.$disconnect();
  };
  return { db, connection, logger, metrics, clusters, executor, hostChecks, close };
}
