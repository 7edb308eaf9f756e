import type { DueOutboxRow } from '@aiopslab/shared/tables/outbox';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { SqlDb } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ClusterProvider } from './clusters/cluster-provider';
import type { WorkerSettings } from './config';
import type { Executor } from './executors/executor';
import type { WorkerMetrics } from './http/worker-metrics';
import type { ProtocolParser } from './protocol/protocol-parser';

/** What the use cases receive from the worker service (worker-service.ts). */
export interface WorkerContext {
  db: SqlDb;
  topology: Topology;
  settings: WorkerSettings;
  logger: Logger;
  metrics: WorkerMetrics;
  /**
   * Right after a commit that wrote outbox rows: publishes `direct` (a transition's announced
   * rows, publishDirectly) at once, else wakes the in-process relay (OutboxRelay.committed).
   */
  outboxCommitted(direct?: readonly DueOutboxRow[]): void;
}

export interface RunnerContext extends WorkerContext {
  executor: Executor;
  clusters: ClusterProvider;
  parser: ProtocolParser;
}
