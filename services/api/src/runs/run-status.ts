import { isTaskStatus, isTerminal, TASK_STATUSES, TaskStatus } from '@aiopslab/shared/domain/task-status';

export type RunStatus = 'running' | 'finished' | 'cancelled' | 'budget_exhausted';

/** Work a run still owes beyond its tasks' statuses: cells not created yet, and infra retries due. */
export interface RunPending {
  /** Grid cells without a task yet (a budgeted run creates its tasks in waves). */
  missingCells: number;
  /** Latest tasks that ended in a retryable infra error with the cell's infra budget left. */
  infraRetriesDue: number;
  /** The run has a budget_usd: work left with nothing in flight means the budget holds it back. */
  budgeted: boolean;
}

const NOTHING_PENDING: RunPending = { missingCells: 0, infraRetriesDue: 0, budgeted: false };

/** Every task status with its count (0 when none): the shape of `counts`. */
export function zeroCounts(): Record<TaskStatus, number> {
  return Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
}

/**
 * A run is running while any of its tasks is not terminal. Once all are: cancelled if
 * DELETE /runs/{id} was called (and not undone by a retry); else, when work is left (an infra
 * retry due, or cells a budgeted run has not created), budget_exhausted for a budgeted run
 * (the reconciler creates whatever the budget can pay for, so work left with nothing in flight
 * is work the budget holds back) and running for another (the reconciler is about to create
 * it); else finished. Pure: the counts come from the database, never from events.
 */
export function runStatusOf(counts: Record<string, number>, cancelledAt: Date | null, pending: RunPending = NOTHING_PENDING): RunStatus {
  const unfinished = Object.entries(counts).some(([status, n]) => n > 0 && (!isTaskStatus(status) || !isTerminal(status)));
  if (unfinished) return 'running';
  if (cancelledAt) return 'cancelled';
  if (pending.missingCells > 0 || pending.infraRetriesDue > 0) return pending.budgeted ? 'budget_exhausted' : 'running';
  return 'finished';
}
