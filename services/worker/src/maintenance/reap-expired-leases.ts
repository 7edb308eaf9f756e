import { findExpiredLeases, lockExpiredLease } from '@aiopslab/shared/tables/tasks-lease';
import { markStaleWorkersOffline } from '@aiopslab/shared/tables/workers';
import type { TaskStatus } from '@aiopslab/shared/domain/task-status';
import { isTaskStateConflict } from '@aiopslab/shared/task-store/task-state-conflict';
import { decideRetry } from '../tasks/run/retry-decision';
import type { BackoffPolicy } from '@aiopslab/shared/domain/backoff';
import type { WorkerContext } from '../worker-context';

/** What a reaper pass reads. */
export interface ReaperSettings {
  /** This worker, the reaping leader (named in the history notes). */
  workerId: string;
  staleWorkerMs: number;
  retryPolicy: BackoffPolicy;
}

type ReaperContext = WorkerContext & { settings: ReaperSettings };

const BATCH = 100;

/**
 * One pass of the reaper (run by the leader only): every processing task whose lease expired is
 * cancelled (a cancel was pending), retried with backoff, or failed as `lost_worker`; workers
 * without heartbeats become offline. Each task is re-checked under its row lock, so a worker
 * that renewed at the last moment keeps its task.
 */
export async function reapExpiredLeases(ctx: ReaperContext): Promise<{ reaped: number; offline: string[] }> {
  const candidates = await findExpiredLeases(ctx.db, BATCH);
  let reaped = 0;
  for (const id of candidates) {
    try {
      const to = await reapTask(ctx, id);
      if (to) {
        reaped++;
        ctx.metrics.reaped.inc({ status: to });
      }
    } catch (error) {
      if (!isTaskStateConflict(error)) ctx.logger.error('reaping a task failed', { task_id: id, error: (error as Error).message });
    }
  }
  const offline = await markStaleWorkersOffline(ctx.db, ctx.settings.staleWorkerMs);
  if (offline.length > 0) ctx.logger.warn('workers without heartbeat marked offline', { workers: offline });
  return { reaped, offline };
}

async function reapTask(ctx: ReaperContext, taskId: string): Promise<TaskStatus | null> {
  const reaperId = ctx.settings.workerId;
  return ctx.tasks.inTransaction(async (tx) => {
    const row = await lockExpiredLease(tx.sql, taskId);
    if (!row) return null;
    const lost = row.worker_id ?? 'an unknown worker';
    const guards = { from: ['processing'] as TaskStatus[], attempt: row.attempt, workerId: row.worker_id };
    const correlationId = taskId;
    if (row.cancel_requested_at) {
      const notes = `cancelled by request (worker ${lost} stopped renewing its lease; reaped by ${reaperId})`;
      await tx.transition({ taskId, to: 'cancelled', ...guards, data: { error: { kind: 'cancelled', message: 'cancelled by request' } }, notes, correlationId });
      return 'cancelled';
    }
    const error = { kind: 'lost_worker', message: `worker ${lost} stopped renewing its lease (expired ${row.lease_expires_at?.toISOString() ?? 'unknown'})` };
    const decision = decideRetry({ attempt: row.attempt, maxRetries: row.max_retries, retryable: true }, ctx.settings.retryPolicy);
    const notes = `lost_worker: lease of ${lost} expired (reaped by ${reaperId}); ${decision.notes}`;
    if (!decision.retry) {
      await tx.transition({ taskId, to: 'failed', ...guards, data: { error }, notes, correlationId });
      return 'failed';
    }
    await tx.transition({
      taskId,
      to: 'retrying',
      ...guards,
      data: { error, leaseExpiresAt: null },
      notes,
      correlationId,
      dispatch: { attempt: row.attempt, priority: row.priority, delayMs: decision.delayMs },
    });
    return 'retrying';
  });
}
