import { ConflictError, hasErrorName } from '../errors/app-error';
import type { Task } from '../tables/tasks';

/** Why a transition was refused; callers branch on it (a finish replans when a cancel arrived). */
export type ConflictReason = 'illegal_transition' | 'status' | 'attempt' | 'worker' | 'cancel_requested' | 'timeout_limit' | 'concurrent';

/** The task moved (or was finished) by someone else first, or a guard did not hold; nothing was written. */
export class TaskStateConflictError extends ConflictError {
  constructor(
    taskId: string,
    message: string,
    currentStatus: string,
    readonly reason: ConflictReason = 'concurrent',
    /** The row as the refusal saw it (read under its lock), when there was one. */
    readonly current: Task | null = null,
  ) {
    super('task_state_conflict', message, { task_id: taskId, current_status: currentStatus });
    this.name = 'TaskStateConflictError';
  }
}

/** The one test for "another writer changed the task first". */
export function isTaskStateConflict(error: unknown): error is TaskStateConflictError {
  return hasErrorName(error, 'TaskStateConflictError');
}
