import type { SqlClient } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { BatchResult, pruneArtifacts, pruneFinishedTasks, pruneTaskLogs, WALK_START, WalkCursor } from '@aiopslab/shared/tables/tasks-retention';

/** Retention settings of the worker (services/worker/src/config.ts); 0 days keeps that kind forever. */
export const retentionEnvProperties = {
  RETENTION_TASK_DAYS: { type: 'number', minimum: 0, default: 0, description: 'delete finished tasks (with their history, logs and callback record) this many days after they finished; 0 keeps them forever' },
  RETENTION_LOG_DAYS: { type: 'number', minimum: 0, default: 0, description: 'delete the log lines of tasks finished this many days ago (the tasks stay); 0 keeps them forever' },
  RETENTION_ARTIFACT_DAYS: { type: 'number', minimum: 0, default: 0, description: 'drop the session and trajectory of tasks finished this many days ago (results stay); 0 keeps them forever' },
  RETENTION_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 10000, default: 500, description: 'tasks pruned per statement' },
  RETENTION_INTERVAL_SECONDS: { type: 'number', minimum: 1, default: 60, description: 'how often the reaper leader prunes' },
} as const;

export interface RetentionPolicy {
  taskDays: number;
  logDays: number;
  artifactDays: number;
  batchSize: number;
  intervalMs: number;
  /** Longest a pass keeps pruning before it yields to the next reaper tick. */
  budgetMs: number;
}

export type RetentionReport = Record<'tasks' | 'logs' | 'artifacts', { tasks: number; rows: number }>;

const DAY_MS = 86_400_000;

/**
 * Prunes what the policy lets go, in small batches, oldest first, under the reaper's leadership
 * (the caller runs it inside a leader's pass). Logs and artifacts walk the finished tasks with a
 * cursor kept between passes, so no batch reads what an earlier one already pruned; a new
 * leader starts its walk from the oldest task again (reading, not deleting, what is done).
 */
export class Retention {
  private readonly cursors: Record<'logs' | 'artifacts', WalkCursor> = { logs: WALK_START, artifacts: WALK_START };
  private lastRunAt = -Infinity;

  constructor(
    private readonly db: SqlClient,
    private readonly policy: RetentionPolicy,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.policy.taskDays > 0 || this.policy.logDays > 0 || this.policy.artifactDays > 0;
  }

  /** Runs a pass when one is due (every RETENTION_INTERVAL_SECONDS); null when not. */
  async runIfDue(now = Date.now()): Promise<RetentionReport | null> {
    if (!this.enabled || now - this.lastRunAt < this.policy.intervalMs) return null;
    this.lastRunAt = now;
    const report = await this.runPass(now);
    const total = report.tasks.rows + report.logs.rows + report.artifacts.rows;
    if (total > 0) this.logger.info('retention pruned', { report });
    return report;
  }

  /** Every kind in turn, batch after batch, until nothing is left or the time budget is spent. */
  async runPass(now = Date.now()): Promise<RetentionReport> {
    const { policy } = this;
    const deadline = Date.now() + policy.budgetMs;
    const cutoff = (days: number) => new Date(now - days * DAY_MS);
    const report: RetentionReport = { tasks: { tasks: 0, rows: 0 }, logs: { tasks: 0, rows: 0 }, artifacts: { tasks: 0, rows: 0 } };
    const drain = async (kind: keyof RetentionReport, batch: () => Promise<BatchResult>) => {
      for (;;) {
        const result = await batch();
        report[kind].tasks += result.tasks;
        report[kind].rows += result.rows;
        if (result.last && kind !== 'tasks') this.cursors[kind] = result.last;
        if (result.tasks < policy.batchSize || Date.now() >= deadline) return;
      }
    };
    if (policy.taskDays > 0) await drain('tasks', () => pruneFinishedTasks(this.db, cutoff(policy.taskDays), policy.batchSize));
    if (policy.logDays > 0) await drain('logs', () => pruneTaskLogs(this.db, cutoff(policy.logDays), policy.batchSize, this.cursors.logs));
    if (policy.artifactDays > 0) await drain('artifacts', () => pruneArtifacts(this.db, cutoff(policy.artifactDays), policy.batchSize, this.cursors.artifacts));
    return report;
  }
}
