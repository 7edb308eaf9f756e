import type { SqlDb } from '@aiopslab/shared/db/sql';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterProvider } from './clusters/cluster-provider';
import type { TaskSettings } from './tasks/task-settings';
import type { Executor } from './tasks/executors/executor';
import type { WorkerMetrics } from './worker-metrics';
import type { ProtocolParser } from './tasks/protocol/protocol-parser';

/**
 * What every use case receives from the worker service (worker-service.ts). Settings are not in
 * it: each use case adds the part it reads (`WorkerContext & { settings: ClaimSettings }`).
 */
export interface WorkerContext {
  /** Every task write: it commits, then publishes what it wrote. */
  tasks: TaskStore;
  /** The other tables (logs, sessions, callbacks, workers). */
  db: SqlDb;
  logger: Logger;
  metrics: WorkerMetrics;
}

/** What running tasks needs besides: the runner, the cluster, the protocol parser. */
export interface RunnerContext extends WorkerContext {
  executor: Executor;
  clusters: ClusterProvider;
  parser: ProtocolParser;
  settings: TaskSettings;
}
