import type { Topology } from '../amqp/topology';
import { buildTaskEvent } from '../domain/task-event';
import { canTransition, IllegalTransitionError } from '../domain/task-state-machine';
import { TaskStatus, isTerminal } from '../domain/task-status';
import { ConflictError, NotFoundError } from '../errors/app-error';
import { MESSAGE_TYPES } from '../schemas/messages';
import { outboxInsert, OutboxMessageInput } from '../outbox/outbox-writer';
import type { SqlClient } from './sql';
import { findTask, Task, TASK_COLUMNS } from './task-row';

export type { Task } from './task-row';

/** The task moved (or was finished) by someone else first; the caller's write did not happen. */
export class TaskStateConflictError extends ConflictError {
  constructor(taskId: string, message: string, currentStatus: string) {
    super('task_state_conflict', message, { task_id: taskId, current_status: currentStatus });
    this.name = 'TaskStateConflictError';
  }
}

/** Columns a transition may change besides status, updated_at and completed_at. */
export interface TaskChanges {
  workerId?: string | null;
  attempt?: { increment: number } | { decrement: number };
  leaseExpiresAt?: Date | null;
  /** lease_expires_at = the database's now() + leaseForMs: leases are always on the reaper's clock. */
  leaseForMs?: number;
  startedAt?: Date;
  /** JSON; null clears the column. */
  result?: unknown;
  error?: unknown;
  cancelRequestedAt?: Date | null;
}

export interface TransitionRequest {
  taskId: string;
  to: TaskStatus;
  /** Guards beyond the state machine: the statuses, attempt and owner the caller believes in. */
  expect?: { status?: readonly TaskStatus[]; attempt?: number; workerId?: string | null };
  data?: TaskChanges;
  /** Human note for the history ("claimed by worker-3"). */
  notes: string;
  /** worker_id of the event; defaults to the task's worker after the change. */
  eventWorkerId?: string | null;
  correlationId?: string;
  /** More messages to publish atomically with the change (dispatch, control). */
  messages?: OutboxMessageInput[];
  /** The row as the caller already read it under FOR UPDATE in this transaction (saves a read). */
  locked?: Task;
}

export interface TransitionResult {
  from: TaskStatus;
  task: Task;
}

/**
 * Applies one state-machine transition as a compare-and-set on (id, status, attempt) and writes
 * its `task.events` message to the outbox in the same statement, inside the caller's transaction.
 * A row changed concurrently, an illegal move, or a failed guard touches nothing and throws
 * TaskStateConflictError.
 */
export async function transitionTask(tx: SqlClient, topology: Topology, request: TransitionRequest): Promise<TransitionResult> {
  const current = request.locked ?? (await findTask(tx, request.taskId, { lock: true }));
  if (!current) throw new NotFoundError('task', request.taskId);
  const from = current.status as TaskStatus;
  checkGuards(current, from, request);

  const occurredAt = new Date();
  const changes = request.data ?? {};
  const attemptAfter = current.attempt + attemptDelta(changes);
  const workerAfter = changes.workerId !== undefined ? changes.workerId : current.workerId;
  const event = buildTaskEvent({
    taskId: current.id,
    from,
    to: request.to,
    attempt: attemptAfter,
    workerId: request.eventWorkerId !== undefined ? request.eventWorkerId : workerAfter,
    notes: request.notes,
    occurredAt,
  });
  const messages: OutboxMessageInput[] = [
    {
      exchange: topology.exchanges.events,
      routingKey: topology.eventRoutingKey(request.to),
      type: MESSAGE_TYPES.transition,
      payload: event,
      messageId: event.event_id,
      correlationId: request.correlationId,
    },
    ...(request.messages ?? []),
  ];
  const update = updateStatement(request.taskId, from, current.attempt, request.to, changes, occurredAt);
  const insert = outboxInsert(messages, update.values.length + 1);
  const rows = await tx.$queryRawUnsafe<Task[]>(
    `WITH moved AS (${update.sql}), announced AS (${insert.sql} WHERE EXISTS (SELECT 1 FROM moved)) SELECT * FROM moved`,
    ...update.values,
    ...insert.values,
  );
  if (rows.length === 0) {
    throw new TaskStateConflictError(request.taskId, `task ${request.taskId} changed concurrently; re-read it and try again`, 'unknown');
  }
  return { from, task: rows[0] };
}

function attemptDelta(changes: TaskChanges): number {
  if (!changes.attempt) return 0;
  return 'increment' in changes.attempt ? changes.attempt.increment : -changes.attempt.decrement;
}

/** The guarded UPDATE … RETURNING; column names come from this code, values are parameters. */
function updateStatement(taskId: string, from: TaskStatus, attempt: number, to: TaskStatus, changes: TaskChanges, occurredAt: Date) {
  const values: unknown[] = [taskId, from, attempt, to, occurredAt];
  const sets = ['status = $4', 'updated_at = $5'];
  const set = (column: string, value: unknown, cast: string) => {
    values.push(value);
    sets.push(`${column} = $${values.length}::${cast}`);
  };
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  if (changes.workerId !== undefined) set('worker_id', changes.workerId, 'text');
  if (changes.attempt) {
    values.push(attemptDelta(changes));
    sets.push(`attempt = attempt + $${values.length}::int`);
  }
  if (changes.startedAt !== undefined) set('started_at', changes.startedAt, 'timestamptz');
  if (changes.result !== undefined) set('result', json(changes.result), 'jsonb');
  if (changes.error !== undefined) set('error', json(changes.error), 'jsonb');
  if (changes.cancelRequestedAt !== undefined) set('cancel_requested_at', changes.cancelRequestedAt, 'timestamptz');
  if (isTerminal(to)) {
    sets.push('completed_at = $5', 'lease_expires_at = NULL');
  } else if (changes.leaseForMs !== undefined) {
    values.push(changes.leaseForMs);
    sets.push(`lease_expires_at = now() + $${values.length}::float8 * interval '1 millisecond'`);
  } else if (changes.leaseExpiresAt !== undefined) {
    set('lease_expires_at', changes.leaseExpiresAt, 'timestamptz');
  }
  return {
    sql: `UPDATE tasks SET ${sets.join(', ')} WHERE id = $1::uuid AND status = $2 AND attempt = $3::int RETURNING ${TASK_COLUMNS}`,
    values,
  };
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
