import type { Topology } from '../amqp/topology';
import { buildTaskEvent } from '../domain/task-event';
import { canTransition, IllegalTransitionError } from '../domain/task-state-machine';
import { TaskStatus, isTerminal } from '../domain/task-status';
import { ConflictError, NotFoundError } from '../errors/app-error';
import { MESSAGE_TYPES, TaskEvent } from '../schemas/messages';
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
  const messages = announcement(topology, event, request);
  const values: unknown[] = [request.taskId, from, current.attempt];
  const sets = changeSets(request.to, changes, occurredAt, values);
  const insert = outboxInsert(messages, values.length + 1, { from: 'moved' });
  const rows = await tx.$queryRawUnsafe<Task[]>(
    `WITH moved AS (UPDATE tasks SET ${sets} WHERE id = $1::uuid AND status = $2 AND attempt = $3::int RETURNING ${TASK_COLUMNS}),
     announced AS (${insert.sql})
     SELECT * FROM moved`,
    ...values,
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

/** The transition's event first, then the caller's messages: what the outbox gets with the change. */
function announcement(topology: Topology, event: TaskEvent, request: { to: TaskStatus; correlationId?: string; messages?: OutboxMessageInput[] }): OutboxMessageInput[] {
  return [
    { exchange: topology.exchanges.events, routingKey: topology.eventRoutingKey(request.to), type: MESSAGE_TYPES.transition, payload: event, messageId: event.event_id, correlationId: request.correlationId },
    ...(request.messages ?? []),
  ];
}

/** Appends `value` to the statement's parameters and returns its placeholder ($n). */
function parameter(values: unknown[], value: unknown): string {
  values.push(value);
  return `$${values.length}`;
}

/** The SET list of a transition; column names come from this code, values are appended as parameters. */
function changeSets(to: TaskStatus, changes: TaskChanges, occurredAt: Date, values: unknown[]): string {
  const param = (value: unknown) => parameter(values, value);
  const at = param(occurredAt);
  const sets = [`status = ${param(to)}`, `updated_at = ${at}::timestamptz`];
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  if (changes.workerId !== undefined) sets.push(`worker_id = ${param(changes.workerId)}::text`);
  if (changes.attempt) sets.push(`attempt = attempt + ${param(attemptDelta(changes))}::int`);
  if (changes.startedAt !== undefined) sets.push(`started_at = ${param(changes.startedAt)}::timestamptz`);
  if (changes.result !== undefined) sets.push(`result = ${param(json(changes.result))}::jsonb`);
  if (changes.error !== undefined) sets.push(`error = ${param(json(changes.error))}::jsonb`);
  if (changes.cancelRequestedAt !== undefined) sets.push(`cancel_requested_at = ${param(changes.cancelRequestedAt)}::timestamptz`);
  if (isTerminal(to)) sets.push(`completed_at = ${at}::timestamptz`, 'lease_expires_at = NULL');
  else if (changes.leaseForMs !== undefined) sets.push(`lease_expires_at = now() + ${param(changes.leaseForMs)}::float8 * interval '1 millisecond'`);
  else if (changes.leaseExpiresAt !== undefined) sets.push(`lease_expires_at = ${param(changes.leaseExpiresAt)}::timestamptz`);
  return sets.join(', ');
}

/** A task_logs line written with a transition, as the owner the transition is guarded by. */
export interface TransitionLogLine {
  ts: Date;
  stream: string;
  level: string;
  message: string;
}

export interface GuardedTransitionRequest {
  taskId: string;
  to: TaskStatus;
  /** The statuses the task may be in (the state machine must allow each of them → to). */
  from: readonly TaskStatus[];
  /** Guards checked in SQL: the attempt and owner, and no cancel requested. */
  attempt?: number;
  workerId?: string;
  noCancelRequested?: boolean;
  /** The task's timeout_minutes is at most this (a worker refuses longer tasks). */
  timeoutAtMostMinutes?: number;
  data?: TaskChanges;
  notes: string;
  /** worker_id of the event; defaults to the task's worker after the change. */
  eventWorkerId?: string | null;
  correlationId?: string;
  messages?: OutboxMessageInput[];
  /** Appended to task_logs (attempt = `attempt`) in the same statement. */
  logLines?: TransitionLogLine[];
}

/**
 * The fast path of a transition: lock, guard, change, announce (and log) in ONE statement and so
 * one round trip, with the guards in SQL. Returns null, having changed nothing, when a guard does
 * not hold; the caller then takes the slow path (transitionTask in a transaction), which reads the
 * row and says why. Same event, same outbox rows, same guarantees as transitionTask.
 */
export async function transitionIfCurrent(db: SqlClient, topology: Topology, request: GuardedTransitionRequest): Promise<TransitionResult | null> {
  for (const from of request.from) if (!canTransition(from, request.to)) throw new IllegalTransitionError(from, request.to);
  const occurredAt = new Date();
  const changes = request.data ?? {};
  // from_status, attempt and worker_id are filled in by SQL from the row it changed.
  const event = buildTaskEvent({ taskId: request.taskId, from: null, to: request.to, attempt: 0, workerId: request.eventWorkerId ?? null, notes: request.notes, occurredAt });
  const messages = announcement(topology, event, request);
  const values: unknown[] = [request.taskId, request.from];
  const param = (value: unknown) => parameter(values, value);
  const guards = ['cur.from_status = ANY($2::text[])'];
  let logAttempt = 'moved.attempt';
  if (request.attempt !== undefined) {
    logAttempt = `${param(request.attempt)}::int`;
    guards.push(`attempt = ${logAttempt}`);
  }
  if (request.workerId !== undefined) guards.push(`worker_id = ${param(request.workerId)}::text`);
  if (request.noCancelRequested) guards.push('cancel_requested_at IS NULL');
  if (request.timeoutAtMostMinutes !== undefined) guards.push(`timeout_minutes <= ${param(request.timeoutAtMostMinutes)}::int`);
  const sets = changeSets(request.to, changes, occurredAt, values);
  const eventWorker = request.eventWorkerId !== undefined ? '' : `, 'worker_id', moved."workerId"`;
  const insert = outboxInsert(messages, values.length + 1, { from: 'moved', firstPayloadPatch: `jsonb_build_object('from_status', moved."fromStatus", 'attempt', moved.attempt${eventWorker})` });
  values.push(...insert.values);
  const lines = request.logLines ?? [];
  const logged = lines.length === 0 ? '' : `, logged AS (
      INSERT INTO task_logs (task_id, seq, attempt, ts, stream, level, message)
      SELECT moved.id::uuid, (SELECT coalesce(max(seq), 0) FROM task_logs WHERE task_id = $1::uuid) + l.ord, ${logAttempt}, l.ts, l.stream, l.level, l.message
      FROM moved, unnest(${param(lines.map((l) => l.ts.toISOString()))}::timestamptz[], ${param(lines.map((l) => l.stream))}::text[],
                         ${param(lines.map((l) => l.level))}::text[], ${param(lines.map((l) => l.message))}::text[])
        WITH ORDINALITY AS l(ts, stream, level, message, ord))`;
  const rows = await db.$queryRawUnsafe<(Task & { fromStatus: TaskStatus })[]>(
    `WITH cur AS (SELECT id AS cur_id, status AS from_status FROM tasks WHERE id = $1::uuid FOR UPDATE),
     moved AS (UPDATE tasks SET ${sets} FROM cur WHERE id = cur.cur_id AND ${guards.join(' AND ')} RETURNING ${TASK_COLUMNS}, cur.from_status AS "fromStatus"),
     announced AS (${insert.sql})${logged}
     SELECT * FROM moved`,
    ...values,
  );
  if (rows.length === 0) return null;
  const { fromStatus, ...task } = rows[0];
  return { from: fromStatus, task };
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
