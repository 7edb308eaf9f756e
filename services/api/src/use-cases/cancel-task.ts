import { findTask } from '@aiopslab/shared/tables/tasks';
import { isTerminal, TaskStatus } from '@aiopslab/shared/domain/task-status';
import { ConflictError, NotFoundError } from '@aiopslab/shared/errors/app-error';
import { isTaskStateConflict, TaskStateConflictError } from '@aiopslab/shared/task-store/task-state-conflict';
import type { TaskStore, TaskTransaction } from '@aiopslab/shared/task-store/task-store';

export type CancelOutcome = { kind: 'cancelled'; status: 'cancelled' } | { kind: 'requested'; status: TaskStatus; cancel_requested_at: string; worker_id: string | null };

/**
 * A waiting task (pending, retrying) is cancelled at once and never starts. A running one gets
 * cancel_requested_at and a control message to its worker, which stops the run and records
 * `cancelled`. A finished task cannot be cancelled.
 */
export async function cancelTask(tasks: TaskStore, taskId: string, correlationId?: string): Promise<CancelOutcome> {
  for (let tries = 0; ; tries++) {
    try {
      return await tasks.inTransaction((tx) => cancelOnce(tx, taskId, correlationId));
    } catch (error) {
      // The task moved between our read and our write (claimed, finished): decide again.
      if (!isTaskStateConflict(error) || tries >= 3) throw error;
    }
  }
}

async function cancelOnce(tx: TaskTransaction, taskId: string, correlationId?: string): Promise<CancelOutcome> {
  const task = await findTask(tx.sql, taskId, { lock: true });
  if (!task) throw new NotFoundError('task', taskId);
  const status = task.status as TaskStatus;
  if (isTerminal(status)) {
    throw new ConflictError('task_finished', `task ${taskId} is already ${status}; a finished task cannot be cancelled`, { task_id: taskId, current_status: status });
  }
  if (status === 'pending' || status === 'retrying') {
    await tx.transition({ taskId, to: 'cancelled', from: ['pending', 'retrying'], locked: task, notes: 'cancelled by request', eventWorkerId: null, correlationId });
    return { kind: 'cancelled', status: 'cancelled' };
  }
  if (task.cancelRequestedAt) {
    return { kind: 'requested', status, cancel_requested_at: task.cancelRequestedAt.toISOString(), worker_id: task.workerId };
  }
  const requestedAt = new Date();
  const updated = await tx.requestCancel([{ id: taskId, attempt: task.attempt, workerId: task.workerId }], requestedAt, { attempt: task.attempt, correlationId });
  if (updated === 0) throw new TaskStateConflictError(taskId, 'task changed concurrently', status);
  return { kind: 'requested', status, cancel_requested_at: requestedAt.toISOString(), worker_id: task.workerId };
}
