import { ConflictError } from '@aiopslab/shared/errors/app-error';
import { findRun, markRunCancelled } from '@aiopslab/shared/tables/runs';
import { lockUnfinishedRunTasks } from '@aiopslab/shared/tables/tasks';
import type { TaskStore, TaskTransaction } from '@aiopslab/shared/task-store/task-store';
import { BULK_TRANSACTION_TIMEOUT_MS } from '../runs/run-schemas';

export interface CancelRunOutcome {
  run_id: string;
  /** Waiting tasks (pending, retrying) cancelled at once. */
  cancelled: number;
  /** Running tasks whose workers were asked to stop; they record `cancelled` when they do. */
  cancel_requested: number;
}

/**
 * Cancels every unfinished task of the run in one transaction, as DELETE /tasks/{id} does for
 * one: waiting tasks become `cancelled` at once; running ones get cancel_requested_at and a
 * control message to their worker. The run row is locked first, so a concurrent retry of the
 * run waits and sees the cancel.
 */
export function cancelRun(tasks: TaskStore, runId: string, correlationId?: string): Promise<CancelRunOutcome> {
  return tasks.inTransaction((tx) => cancelOnce(tx, runId, correlationId), { timeoutMs: BULK_TRANSACTION_TIMEOUT_MS });
}

async function cancelOnce(tx: TaskTransaction, runId: string, correlationId?: string): Promise<CancelRunOutcome> {
  const run = await findRun(tx.sql, runId, { lock: true });
  const unfinished = await lockUnfinishedRunTasks(tx.sql, runId);
  if (unfinished.length === 0 && !run.cancelled_at) {
    throw new ConflictError('run_finished', `run ${runId} has no unfinished task; a finished run cannot be cancelled (POST /runs/${runId}/retry re-runs its failed tasks)`, { run_id: runId });
  }
  await markRunCancelled(tx.sql, runId);
  const waiting = unfinished.filter((t) => t.status !== 'processing');
  await tx.transitionMany(waiting, 'cancelled', 'cancelled with its run', correlationId);
  const running = unfinished.filter((t) => t.status === 'processing' && !t.cancel_requested_at);
  await tx.requestCancel(running.map((t) => ({ id: t.id, attempt: t.attempt, workerId: t.worker_id })), new Date(), { correlationId });
  return { run_id: runId, cancelled: waiting.length, cancel_requested: unfinished.length - waiting.length };
}
