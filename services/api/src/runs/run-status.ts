import { isTaskStatus, isTerminal, TASK_STATUSES, TaskStatus } from '@aiopslab/shared/domain/task-status';

export type RunStatus = 'running' | 'finished' | 'cancelled';

/** Every task status with its count (0 when none): the shape of `counts`. */
export function zeroCounts(): Record<TaskStatus, number> {
  return Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
}

/**
 * A run is running while any of its tasks is not terminal; once all are, it is cancelled if
 * DELETE /runs/{id} was called (and not undone by a retry), else finished. Pure: the counts come
 * from the database, never from events.
 */
export function runStatusOf(counts: Record<string, number>, cancelledAt: Date | null): RunStatus {
  const unfinished = Object.entries(counts).some(([status, n]) => n > 0 && (!isTaskStatus(status) || !isTerminal(status)));
  if (unfinished) return 'running';
  return cancelledAt ? 'cancelled' : 'finished';
}
