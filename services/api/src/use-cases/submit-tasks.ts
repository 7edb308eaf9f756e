import { createHash, randomUUID } from 'node:crypto';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { SqlClient, SqlDb } from '@aiopslab/shared/db/sql';
import { Task, TASK_COLUMNS } from '@aiopslab/shared/db/task-row';
import { buildTaskEvent } from '@aiopslab/shared/domain/task-event';
import { CALLBACK_POLICY, callbackTargetRefusal } from '@aiopslab/shared/callbacks/callback-target';
import { ConflictError, FieldError, ValidationError } from '@aiopslab/shared/errors/app-error';
import { outboxHeaders } from '@aiopslab/shared/outbox/outbox-writer';
import { MESSAGE_TYPES, TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { TaskSubmission } from '@aiopslab/shared/schemas/task-submission';

export interface SubmitDeps {
  db: SqlDb;
  topology: Topology;
  /** Returns the ids missing from the problem catalog; absent = no check. */
  findUnknownProblems?: (ids: string[]) => Promise<string[]>;
  /** The message for an id findUnknownProblems returned (unknown, or not run by this service). */
  describeUnknownProblem?: (id: string) => string;
  /** Wakes the in-process outbox relay after the commit. */
  onCommitted: () => void;
  /** CALLBACK_ALLOW_PRIVATE: skip the callback_url address check. */
  allowPrivateCallbacks?: boolean;
}

type StoredTask = Pick<Task, 'id' | 'status' | 'createdAt'>;

export interface SubmittedTask {
  task: StoredTask;
  /** True when an Idempotency-Key matched an earlier submission: nothing new was created. */
  replayed: boolean;
}

/**
 * Stores tasks, their `pending` events and their dispatch messages in one SQL statement (atomic
 * on its own): either every task of the call exists and will be dispatched, or none does. A
 * batch that carries idempotency keys runs inside a transaction, so a key reused with another
 * request rolls the whole batch back.
 */
export async function submitTasks(deps: SubmitDeps, submissions: TaskSubmission[], correlationId?: string): Promise<SubmittedTask[]> {
  checkKeysUnique(submissions);
  if (deps.findUnknownProblems) await checkProblemsKnown(deps.findUnknownProblems, submissions, deps.describeUnknownProblem);
  if (!deps.allowPrivateCallbacks) await checkCallbackTargets(submissions);
  const rows = submissions.map((submission) => toRow(deps.topology, submission, correlationId));
  const store = async (db: SqlClient) => answer(rows, await insertStatement(db, deps.topology, rows), await findReplays(db, submissions, rows));
  const needsTransaction = submissions.length > 1 && submissions.some((s) => s.idempotency_key);
  const results = needsTransaction ? await deps.db.$transaction((tx) => store(tx)) : await store(deps.db);
  if (results.some((r) => !r.replayed)) deps.onCommitted();
  return results;
}

interface SubmissionRow {
  submission: TaskSubmission;
  id: string;
  fingerprint: string | null;
  event: TaskEvent;
  eventHeaders: string;
  dispatchId: string;
  dispatchHeaders: string;
}

function toRow(topology: Topology, submission: TaskSubmission, correlationId?: string): SubmissionRow {
  const id = randomUUID();
  return {
    submission,
    id,
    fingerprint: submission.idempotency_key ? fingerprint(submission) : null,
    event: buildTaskEvent({ taskId: id, from: null, to: 'pending', attempt: 0, workerId: null, notes: 'submitted' }),
    eventHeaders: JSON.stringify(outboxHeaders({ type: MESSAGE_TYPES.transition, correlationId })),
    dispatchId: randomUUID(),
    dispatchHeaders: JSON.stringify(outboxHeaders({ type: MESSAGE_TYPES.dispatch, correlationId, priority: submission.priority })),
  };
}

/**
 * Tasks, their `pending` events and dispatch messages in one round trip (the caller wakes its
 * relay after the commit). A task whose idempotency key exists already is skipped (ON CONFLICT), and so
 * are its messages.
 */
async function insertStatement(db: SqlClient, topology: Topology, rows: SubmissionRow[]): Promise<Map<string, StoredTask>> {
  const column = <T>(pick: (r: SubmissionRow) => T) => rows.map(pick);
  const s = (pick: (t: TaskSubmission) => unknown) => column((r) => pick(r.submission));
  const inserted = await db.$queryRaw<{ id: string; created_at: Date }[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((r) => r.id)}::uuid[], ${s((t) => t.problem_id)}::text[], ${s((t) => t.priority)}::smallint[], ${s((t) => JSON.stringify(t.agent_config))}::jsonb[],
        ${s((t) => t.max_steps)}::int[], ${s((t) => t.timeout_minutes)}::int[], ${s((t) => t.max_retries)}::int[], ${s((t) => t.callback_url ?? null)}::text[],
        ${s((t) => JSON.stringify(t.metadata))}::jsonb[], ${s((t) => JSON.stringify(t.parameters))}::jsonb[], ${s((t) => t.idempotency_key ?? null)}::text[],
        ${column((r) => r.fingerprint)}::text[], ${column((r) => r.event.event_id)}::uuid[], ${column((r) => JSON.stringify(r.event))}::jsonb[],
        ${column((r) => r.eventHeaders)}::jsonb[], ${column((r) => r.dispatchId)}::uuid[], ${column((r) => r.dispatchHeaders)}::jsonb[])
      AS i(id, problem_id, priority, agent_config, max_steps, timeout_minutes, max_retries, callback_url, metadata, parameters, idempotency_key,
           idempotency_fingerprint, event_id, event, event_headers, dispatch_id, dispatch_headers)
    ), inserted AS (
      INSERT INTO tasks (id, problem_id, status, priority, agent_config, max_steps, timeout_minutes, max_retries, callback_url, metadata, parameters, idempotency_key, idempotency_fingerprint)
      SELECT id, problem_id, 'pending', priority, agent_config, max_steps, timeout_minutes, max_retries, callback_url, metadata, parameters, idempotency_key, idempotency_fingerprint
      FROM input
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING id, created_at
    ), announced AS (
      INSERT INTO outbox (message_id, exchange, routing_key, payload, headers)
      SELECT m.* FROM inserted JOIN input USING (id)
      CROSS JOIN LATERAL (VALUES
        (input.event_id, ${topology.exchanges.events}, ${topology.eventRoutingKey('pending')}, input.event, input.event_headers),
        (input.dispatch_id, ${topology.exchanges.tasks}, ${topology.routing.dispatch}, jsonb_build_object('task_id', input.id, 'attempt', 0), input.dispatch_headers)
      ) AS m(message_id, exchange, routing_key, payload, headers)
    )
    SELECT id::text, created_at FROM inserted`;
  return new Map(inserted.map((row) => [row.id, { id: row.id, status: 'pending', createdAt: row.created_at }]));
}

/** The earlier tasks of the keys that were skipped; a key reused with another request is a 409. */
async function findReplays(db: SqlClient, submissions: TaskSubmission[], rows: SubmissionRow[]): Promise<Map<string, Task>> {
  const keys = submissions.map((s) => s.idempotency_key).filter((k): k is string => !!k);
  if (keys.length === 0) return new Map();
  const existing = await db.$queryRawUnsafe<Task[]>(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE idempotency_key = ANY($1::text[]) AND NOT (id = ANY($2::uuid[]))`,
    keys,
    rows.map((r) => r.id),
  );
  const byKey = new Map(existing.map((task) => [task.idempotencyKey!, task]));
  for (const row of rows) {
    const task = row.submission.idempotency_key ? byKey.get(row.submission.idempotency_key) : undefined;
    if (task && task.idempotencyFingerprint !== row.fingerprint) {
      throw new ConflictError('idempotency_key_reused', `Idempotency-Key "${row.submission.idempotency_key}" was already used for a different request (task ${task.id}); use a new key for a new task`, {
        task_id: task.id,
      });
    }
  }
  return byKey;
}

function answer(rows: SubmissionRow[], inserted: Map<string, StoredTask>, replays: Map<string, Task>): SubmittedTask[] {
  return rows.map((row) => {
    const created = inserted.get(row.id);
    if (created) return { task: created, replayed: false };
    const replay = row.submission.idempotency_key ? replays.get(row.submission.idempotency_key) : undefined;
    if (!replay) throw new ConflictError('idempotency_key_in_flux', 'the task with this Idempotency-Key changed while it was submitted; retry the request');
    return { task: replay, replayed: true };
  });
}

/** A callback the workers would refuse to deliver is refused now, with the policy and the fix. */
async function checkCallbackTargets(submissions: TaskSubmission[]): Promise<void> {
  const refusals = await Promise.all(submissions.map((s) => (s.callback_url ? callbackTargetRefusal(s.callback_url) : null)));
  const details: FieldError[] = refusals.flatMap((reason, index) =>
    reason ? [{ field: submissions.length > 1 ? `tasks[${index}].callback_url` : 'callback_url', rule: 'callback_policy', message: `${reason}; ${CALLBACK_POLICY}` }] : [],
  );
  if (details.length > 0) throw new ValidationError(`callback_url is refused: ${details[0].message}`, details);
}

/** Same key, same request: the stored fingerprint tells a replay from a reuse of the key. */
function fingerprint(submission: TaskSubmission): string {
  const { idempotency_key: _key, ...rest } = submission;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function checkKeysUnique(submissions: TaskSubmission[]): void {
  const seen = new Map<string, number>();
  const details: FieldError[] = [];
  submissions.forEach((s, index) => {
    if (!s.idempotency_key) return;
    const first = seen.get(s.idempotency_key);
    if (first !== undefined) details.push({ field: `tasks[${index}].idempotency_key`, rule: 'unique', message: `repeats the key of tasks[${first}]` });
    else seen.set(s.idempotency_key, index);
  });
  if (details.length > 0) throw new ValidationError('a batch may not repeat an idempotency key', details, { invalid_indexes: details.map((d) => Number(/\[(\d+)\]/.exec(d.field)![1])) });
}

async function checkProblemsKnown(
  findUnknown: (ids: string[]) => Promise<string[]>,
  submissions: TaskSubmission[],
  describe: (id: string) => string = (id) => `unknown problem "${id}"; GET /problems lists the known ids`,
): Promise<void> {
  const unknown = new Set(await findUnknown(submissions.map((s) => s.problem_id)));
  if (unknown.size === 0) return;
  const single = submissions.length === 1;
  const details: FieldError[] = [];
  const invalidIndexes: number[] = [];
  submissions.forEach((s, index) => {
    if (!unknown.has(s.problem_id)) return;
    invalidIndexes.push(index);
    details.push({ field: single ? 'problem_id' : `tasks[${index}].problem_id`, rule: 'catalog', message: describe(s.problem_id) });
  });
  const summary = single ? details[0].message : `unknown or unsupported problem_id: ${[...unknown].slice(0, 5).join(', ')}`;
  throw new ValidationError(summary, details, single ? {} : { invalid_indexes: invalidIndexes });
}
