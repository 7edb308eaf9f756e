import type { Db } from '@aiopslab/shared/db/prisma-client';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';
import type { ApiConfig } from '../config';
import type { ApiMetrics } from '../metrics';
import type { QueuesDeps } from '../use-cases/read-queues';
import type { DashboardAssets } from './dashboard/dashboard-assets';
import type { Validators } from './validators';

/** Everything the HTTP layer needs, built once in main.ts (or by a test). */
export interface ApiDeps {
  config: Pick<ApiConfig, 'BODY_LIMIT_BYTES' | 'BATCH_BODY_LIMIT_BYTES' | 'VALIDATE_PROBLEM_IDS' | 'MAX_TASK_TIMEOUT_MINUTES' | 'CALLBACK_ALLOW_PRIVATE' | 'API_TOKEN' | 'WORKER_TOKEN' | 'RATE_LIMIT_PER_MINUTE' | 'PRICES' | 'RUN_CONFIRM_LIMIT'>;
  /** The api's one database client (Prisma over @prisma/adapter-pg, one pool): reads, writes, outbox. */
  db: Db;
  /** Every task write: it commits, then publishes what it wrote. */
  tasks: TaskStore;
  logger: Logger;
  metrics: ApiMetrics;
  validators: Validators;
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
