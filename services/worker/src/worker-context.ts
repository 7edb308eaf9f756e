import type { SqlDb } from '@aiopslab/shared/db/sql';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterProvider } from './clusters/cluster-provider';
import type { WorkerSettings } from './config';
import type { Executor } from './executors/executor';
import type { WorkerMetrics } from './http/worker-metrics';
import type { ProtocolParser } from './protocol/protocol-parser';

/** What the use cases receive from the worker service (worker-service.ts). */
export interface WorkerContext {
  /** Every task write: it commits, then publishes what it wrote. */
  tasks: TaskStore;
  /** The other tables (logs, sessions, callbacks, workers). */
  db: SqlDb;
  settings: WorkerSettings;
  logger: Logger;
  metrics: WorkerMetrics;
}

export interface RunnerContext extends WorkerContext {
  executor: Executor;
  clusters: ClusterProvider;
  parser: ProtocolParser;
}
