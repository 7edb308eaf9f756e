import type { DueOutboxRow } from '@aiopslab/shared/tables/outbox';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { Db } from '@aiopslab/shared/db/prisma-client';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { ApiConfig } from '../config';
import type { ApiMetrics } from '../metrics';
import type { QueuesDeps } from '../use-cases/read-queues';
import type { DashboardAssets } from './dashboard/dashboard-assets';
import type { Validators } from './validators';

/** Everything the HTTP layer needs, built once in main.ts (or by a test). */
export interface ApiDeps {
  config: Pick<ApiConfig, 'BODY_LIMIT_BYTES' | 'BATCH_BODY_LIMIT_BYTES' | 'VALIDATE_PROBLEM_IDS' | 'MAX_TASK_TIMEOUT_MINUTES' | 'CALLBACK_ALLOW_PRIVATE' | 'API_TOKEN' | 'WORKER_TOKEN' | 'RATE_LIMIT_PER_MINUTE' | 'PRICES'>;
  /** The api's one database client (Prisma over @prisma/adapter-pg, one pool): reads, writes, outbox. */
  db: Db;
  topology: Topology;
  logger: Logger;
  metrics: ApiMetrics;
  validators: Validators;
  /** Called after a commit that wrote outbox rows: publishes the directly published ones, else wakes the relay. */
  onOutboxCommitted: (direct?: readonly DueOutboxRow[]) => void;
  /** Broker state for /health. */
  queueStatus: () => 'up' | 'down';
  outboxBacklog: () => Promise<number>;
  /** How often a following log stream polls for new lines. */
  logPollMs?: number;
  /** Where GET /queues reads the broker's queues. */
  queues: Omit<QueuesDeps, 'db'>;
  /** The dashboard's files (GET /ui/). */
  dashboard: DashboardAssets;
}
