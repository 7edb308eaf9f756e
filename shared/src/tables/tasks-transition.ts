import type { SqlClient } from '../db/sql';
import { taskLogsInsert } from './task-logs';
import { Task, TASK_COLUMNS } from './tasks';
import { isTerminal, TaskStatus } from '../domain/task-status';
import { AnnouncedJsonRow, announcedJson, directPublishable, DueOutboxRow, fromAnnouncedJson, outboxInsert, OutboxMessageInput } from './outbox';

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
  /** dispatched_at = now() + this many ms: the transition writes the task's dispatch message itself (a retry). */
  dispatchInMs?: number;
}

/** A task_logs line written with a transition (attempt = the guard's `attempt`, else the row's). */
export interface TransitionLogLine {
  ts: Date;
  stream: string;
  level: string;
  message: string;
}

/** One guarded change of one task, as the statement runs it. */
export interface TransitionStatement {
  taskId: string;
  to: TaskStatus;
  /** The statuses the row may be in. */
  sources: readonly TaskStatus[];
  attempt?: number;
  workerId?: string | null;
  noCancelRequested?: boolean;
  timeoutAtMostMinutes?: number;
  changes: TaskChanges;
  /**
   * The transition's event first: SQL fills in its from_status, attempt (and worker_id, with
   * eventWorkerFromRow) from the changed row, and its `callback` header; then further messages.
   */
  messages: OutboxMessageInput[];
  eventWorkerFromRow: boolean;
  logLines?: TransitionLogLine[];
  /** The writer publishes the due rows itself after the commit (the statement commits on its own). */
  direct: boolean;
  occurredAt: Date;
}

export interface TransitionStatementResult {
  from: TaskStatus;
  task: Task;
  /** With `direct`: the committed outbox rows the writer publishes now. */
  announced?: DueOutboxRow[];
}

/** What every move into a terminal status sets, in the single form and the set form alike. */
function terminalSets(at: string): string {
  return `completed_at = ${at}::timestamptz, lease_expires_at = NULL`;
}

/**
 * The transition in ONE statement and so one round trip: lock the row, check the guards in SQL,
 * change it, write its `task.events` announcement (and the caller's messages) to the outbox and
 * its log lines, all or nothing. Returns null, having changed nothing, when a guard does not hold.
 */
export async function runTransitionStatement(db: SqlClient, request: TransitionStatement): Promise<TransitionStatementResult | null> {
  const { changes, messages, occurredAt } = request;
  const values: unknown[] = [request.taskId, request.sources];
  const param = (value: unknown) => parameter(values, value);
  const guards = ['cur.from_status = ANY($2::text[])'];
  let logAttempt = 'moved.attempt';
  if (request.attempt !== undefined) {
    logAttempt = `${param(request.attempt)}::int`;
    guards.push(`attempt = ${logAttempt}`);
  }
  if (request.workerId !== undefined) guards.push(`worker_id IS NOT DISTINCT FROM ${param(request.workerId)}::text`);
  if (request.noCancelRequested) guards.push('cancel_requested_at IS NULL');
  if (request.timeoutAtMostMinutes !== undefined) guards.push(`timeout_minutes <= ${param(request.timeoutAtMostMinutes)}::int`);
  const sets = changeSets(request.to, changes, occurredAt, values);
  const eventWorker = request.eventWorkerFromRow ? `, 'worker_id', moved."workerId"` : '';
  const direct = request.direct;
  // Whether the task has a callback_url travels with its event (header task-callback), so the
  // workers' callback consumer need not read the task to learn that it has none.
  const insert = outboxInsert(messages, values.length + 1, { from: 'moved', direct, firstHeadersPatch: `jsonb_build_object('callback', moved."callbackUrl" IS NOT NULL)`, firstPayloadPatch: `jsonb_build_object('from_status', moved."fromStatus", 'attempt', moved.attempt${eventWorker})` });
  values.push(...insert.values);
  const lines = request.logLines ?? [];
  const logged = lines.length === 0 ? '' : `, logged AS (${taskLogsInsert({
    taskId: '$1',
    attempt: logAttempt,
    lines: [param(lines.map((l) => l.ts.toISOString())), param(lines.map((l) => l.stream)), param(lines.map((l) => l.level)), param(lines.map((l) => l.message))],
  }, { from: 'moved' })})`;
  const rows = await db.$queryRawUnsafe<(Task & { fromStatus: TaskStatus; announced?: AnnouncedJsonRow[] })[]>(
    `WITH cur AS (SELECT id AS cur_id, status AS from_status FROM tasks WHERE id = $1::uuid FOR UPDATE),
     moved AS (UPDATE tasks SET ${sets} FROM cur WHERE id = cur.cur_id AND ${guards.join(' AND ')} RETURNING ${TASK_COLUMNS}, cur.from_status AS "fromStatus"),
     announced AS (${insert.sql})${logged}
     SELECT *${direct ? `, ${announcedJson('announced')} AS announced` : ''} FROM moved`,
    ...values,
  );
  if (rows.length === 0) return null;
  const { fromStatus, announced, ...task } = rows[0];
  if (!announced) return { from: fromStatus, task };
  return { from: fromStatus, task, announced: directPublishable(fromAnnouncedJson(announced), messages, insert.ids) };
}

/** Appends `value` to the statement's parameters and returns its placeholder ($n). */
function parameter(values: unknown[], value: unknown): string {
  values.push(value);
  return `$${values.length}`;
}

function attemptDelta(changes: TaskChanges): number {
  if (!changes.attempt) return 0;
  return 'increment' in changes.attempt ? changes.attempt.increment : -changes.attempt.decrement;
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
  if (changes.dispatchInMs !== undefined) sets.push(`dispatched_at = now() + ${param(changes.dispatchInMs)}::float8 * interval '1 millisecond'`);
  if (isTerminal(to)) sets.push(terminalSets(at));
  else if (changes.leaseForMs !== undefined) sets.push(`lease_expires_at = now() + ${param(changes.leaseForMs)}::float8 * interval '1 millisecond'`);
  else if (changes.leaseExpiresAt !== undefined) sets.push(`lease_expires_at = ${param(changes.leaseExpiresAt)}::timestamptz`);
  return sets.join(', ');
}

/**
 * The set form of a transition's UPDATE: a compare-and-set on (id, status, attempt) of each row,
 * with the single form's terminal rule. Returns the rows it changed and whether each has a
 * callback_url (the caller rolls back when not all matched).
 */
export function updateLockedTasks(tx: SqlClient, rows: { id: string; status: TaskStatus; attempt: number }[], to: TaskStatus, at: Date): Promise<{ id: string; callback: boolean }[]> {
  return tx.$queryRawUnsafe(
    `UPDATE tasks t SET status = $1, updated_at = $2::timestamptz${isTerminal(to) ? `, ${terminalSets('$2')}` : ''}
     FROM unnest($3::uuid[], $4::text[], $5::int[]) AS c(id, status, attempt)
     WHERE t.id = c.id AND t.status = c.status AND t.attempt = c.attempt
     RETURNING t.id::text AS id, t.callback_url IS NOT NULL AS callback`,
    to,
    at,
    rows.map((r) => r.id),
    rows.map((r) => r.status),
    rows.map((r) => r.attempt),
  );
}
