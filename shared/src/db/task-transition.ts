import type { Topology } from '../amqp/topology';
import { buildTaskEvent } from '../domain/task-event';
import { canTransition, IllegalTransitionError } from '../domain/task-state-machine';
import { TaskStatus, isTerminal } from '../domain/task-status';
import { ConflictError, NotFoundError } from '../errors/app-error';
import { MESSAGE_TYPES } from '../schemas/messages';
import { enqueueOutbox, OutboxMessageInput } from '../outbox/outbox-writer';
import type { Prisma, Tx } from './prisma-client';
import type { Task } from './generated/client';

export type { Task } from './generated/client';

/** The task moved (or was finished) by someone else first; the caller's write did not happen. */
export class TaskStateConflictError extends ConflictError {
  constructor(taskId: string, message: string, currentStatus: string) {
    super('task_state_conflict', message, { task_id: taskId, current_status: currentStatus });
    this.name = 'TaskStateConflictError';
  }
}

export interface TransitionRequest {
  taskId: string;
  to: TaskStatus;
  /** Guards beyond the state machine: the statuses, attempt and owner the caller believes in. */
  expect?: { status?: readonly TaskStatus[]; attempt?: number; workerId?: string | null };
  data?: Omit<Prisma.TaskUpdateManyMutationInput, 'status'>;
  /** Human note for the history ("claimed by worker-3"). */
  notes: string;
  /** worker_id of the event; defaults to the task's worker after the change. */
  eventWorkerId?: string | null;
  correlationId?: string;
  /** More messages to publish atomically with the change (dispatch, control). */
  messages?: OutboxMessageInput[];
}

export interface TransitionResult {
  from: TaskStatus;
  task: Task;
}

/**
 * Applies one state-machine transition as a compare-and-set on (id, status, attempt) and writes
 * its `task.events` message to the outbox in the same transaction. A row changed concurrently,
 * an illegal move, or a failed guard touches nothing and throws TaskStateConflictError.
 */
export async function transitionTask(tx: Tx, topology: Topology, request: TransitionRequest): Promise<TransitionResult> {
  const current = await tx.task.findUnique({ where: { id: request.taskId } });
  if (!current) throw new NotFoundError('task', request.taskId);
  const from = current.status as TaskStatus;
  checkGuards(current, from, request);

  const occurredAt = new Date();
  const data: Prisma.TaskUpdateManyMutationInput = { ...request.data, status: request.to, updatedAt: occurredAt };
  if (isTerminal(request.to)) {
    data.completedAt = occurredAt;
    data.leaseExpiresAt = null;
  }
  const updated = await tx.task.updateManyAndReturn({ where: { id: request.taskId, status: from, attempt: current.attempt }, data });
  if (updated.length === 0) {
    throw new TaskStateConflictError(request.taskId, `task ${request.taskId} changed concurrently; re-read it and try again`, 'unknown');
  }
  const task = updated[0];
  const event = buildTaskEvent({
    taskId: task.id,
    from,
    to: request.to,
    attempt: task.attempt,
    workerId: request.eventWorkerId !== undefined ? request.eventWorkerId : task.workerId,
    notes: request.notes,
    occurredAt,
  });
  await enqueueOutbox(tx, [
    {
      exchange: topology.exchanges.events,
      routingKey: topology.eventRoutingKey(request.to),
      type: MESSAGE_TYPES.transition,
      payload: event,
      messageId: event.event_id,
      correlationId: request.correlationId,
    },
    ...(request.messages ?? []),
  ]);
  return { from, task };
}

function checkGuards(current: Task, from: TaskStatus, request: TransitionRequest): void {
  const conflict = (message: string) => new TaskStateConflictError(current.id, message, from);
  if (!canTransition(from, request.to)) throw conflict(new IllegalTransitionError(from, request.to).message);
  const expect = request.expect ?? {};
  if (expect.status && !expect.status.includes(from)) {
    throw conflict(`task ${current.id} is ${from}, expected ${expect.status.join(' or ')}`);
  }
  if (expect.attempt !== undefined && current.attempt !== expect.attempt) {
    throw conflict(`task ${current.id} is on attempt ${current.attempt}, not ${expect.attempt}`);
  }
  if (expect.workerId !== undefined && current.workerId !== expect.workerId) {
    throw conflict(`task ${current.id} is held by ${current.workerId ?? 'no worker'}, not ${expect.workerId ?? 'no worker'}`);
  }
}
