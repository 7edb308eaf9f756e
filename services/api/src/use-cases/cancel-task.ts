import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { SqlClient, SqlDb } from '@aiopslab/shared/db/sql';
import { findTask, requestTaskCancellation } from '@aiopslab/shared/tables/tasks';
import { isTerminal, TaskStatus } from '@aiopslab/shared/domain/task-status';
import { ConflictError, NotFoundError } from '@aiopslab/shared/errors/app-error';
import { enqueueOutbox } from '@aiopslab/shared/tables/outbox';
import { CancelMessage, MESSAGE_TYPES } from '@aiopslab/shared/schemas/messages';
import { applyTransition } from '@aiopslab/shared/transitions/apply-transition';
import { isTaskStateConflict, TaskStateConflictError } from '@aiopslab/shared/transitions/task-state-conflict';

export interface CancelDeps {
  db: SqlDb;
  topology: Topology;
  onCommitted: () => void;
}

export type CancelOutcome = { kind: 'cancelled'; status: 'cancelled' } | { kind: 'requested'; status: TaskStatus; cancel_requested_at: string; worker_id: string | null };

/**
 * A waiting task (pending, retrying) is cancelled at once and never starts. A running one gets
 * cancel_requested_at and a control message to its worker, which stops the run and records
 * `cancelled`. A finished task cannot be cancelled.
 */
export async function cancelTask(deps: CancelDeps, taskId: string, correlationId?: string): Promise<CancelOutcome> {
  for (let tries = 0; ; tries++) {
    try {
      const outcome = await deps.db.$transaction((tx) => cancelOnce(tx, deps.topology, taskId, correlationId));
      deps.onCommitted();
      return outcome;
    } catch (error) {
      // The task moved between our read and our write (claimed, finished): decide again.
      if (!isTaskStateConflict(error) || tries >= 3) throw error;
    }
  }
}

async function cancelOnce(tx: SqlClient, topology: Topology, taskId: string, correlationId?: string): Promise<CancelOutcome> {
  const task = await findTask(tx, taskId, { lock: true });
  if (!task) throw new NotFoundError('task', taskId);
  const status = task.status as TaskStatus;
  if (isTerminal(status)) {
    throw new ConflictError('task_finished', `task ${taskId} is already ${status}; a finished task cannot be cancelled`, { task_id: taskId, current_status: status });
  }
  if (status === 'pending' || status === 'retrying') {
    await applyTransition(tx, topology, { taskId, to: 'cancelled', from: ['pending', 'retrying'], locked: task, notes: 'cancelled by request', eventWorkerId: null, correlationId });
    return { kind: 'cancelled', status: 'cancelled' };
  }
  if (task.cancelRequestedAt) {
    return { kind: 'requested', status, cancel_requested_at: task.cancelRequestedAt.toISOString(), worker_id: task.workerId };
  }
  const requestedAt = new Date();
  const updated = await requestTaskCancellation(tx, [taskId], requestedAt, task.attempt);
  if (updated === 0) throw new TaskStateConflictError(taskId, 'task changed concurrently', status);
  if (task.workerId) {
    const message: CancelMessage = { task_id: taskId, attempt: task.attempt, requested_at: requestedAt.toISOString() };
    await enqueueOutbox(tx, [{ exchange: topology.exchanges.control, routingKey: task.workerId, type: MESSAGE_TYPES.cancel, payload: message, correlationId }]);
  }
  return { kind: 'requested', status, cancel_requested_at: requestedAt.toISOString(), worker_id: task.workerId };
}
