import type { DueOutboxRow } from '@aiopslab/shared/tables/outbox';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { SqlClient, SqlDb } from '@aiopslab/shared/db/sql';
import { findTasksByIdempotencyKeys, Task } from '@aiopslab/shared/tables/tasks';
import { CALLBACK_POLICY, callbackTargetRefusal } from '@aiopslab/shared/callbacks/callback-target';
import { ConflictError, FieldError, ValidationError } from '@aiopslab/shared/errors/app-error';
import type { TaskSubmission } from '@aiopslab/shared/schemas/task-submission';
import { insertTasks, StoredTask, TaskRow, toTaskRows } from '@aiopslab/shared/tables/tasks-insert';
import { requestFingerprint } from './request-fingerprint';

export interface SubmitDeps {
  db: SqlDb;
  topology: Topology;
  /** Returns the ids missing from the problem catalog; absent = no check. */
  findUnknownProblems?: (ids: string[]) => Promise<string[]>;
  /** The message for an id findUnknownProblems returned (unknown, or not run by this service). */
  describeUnknownProblem?: (id: string) => string;
  /** After the commit: publishes the rows claimed for direct publishing, else wakes the in-process relay. */
  onCommitted: (direct?: readonly DueOutboxRow[]) => void;
  /** CALLBACK_ALLOW_PRIVATE: skip the callback_url address check. */
  allowPrivateCallbacks?: boolean;
}

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
  const rows = toTaskRows(submissions.map((submission) => ({ submission, fingerprint: submission.idempotency_key ? fingerprint(submission) : null })), correlationId);
  let announced: DueOutboxRow[] | undefined;
  // Outside a transaction the statement commits on its own: the api publishes its rows at once.
  const store = async (db: SqlClient, direct: boolean) => {
    const inserted = await insertTasks(db, deps.topology, rows, { direct });
    announced = inserted.announced;
    return answer(rows, inserted.stored, await findReplays(db, submissions, rows));
  };
  const needsTransaction = submissions.length > 1 && submissions.some((s) => s.idempotency_key);
  const results = needsTransaction ? await deps.db.$transaction((tx) => store(tx, false)) : await store(deps.db, true);
  if (results.some((r) => !r.replayed)) deps.onCommitted(announced);
  return results;
}

/** The earlier tasks of the keys that were skipped; a key reused with another request is a 409. */
async function findReplays(db: SqlClient, submissions: TaskSubmission[], rows: TaskRow[]): Promise<Map<string, Task>> {
  const keys = submissions.map((s) => s.idempotency_key).filter((k): k is string => !!k);
  if (keys.length === 0) return new Map();
  const existing = await findTasksByIdempotencyKeys(db, keys, rows.map((r) => r.id));
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

function answer(rows: TaskRow[], inserted: Map<string, StoredTask>, replays: Map<string, Task>): SubmittedTask[] {
  return rows.map((row) => {
    const created = inserted.get(row.id);
    if (created) return { task: created, replayed: false };
    const replay = row.submission.idempotency_key ? replays.get(row.submission.idempotency_key) : undefined;
    if (!replay) throw new ConflictError('idempotency_key_in_flux', 'the task with this Idempotency-Key changed while it was submitted; retry the request');
    return { task: replay, replayed: true };
  });
}

/** A callback the workers would refuse to deliver is refused now, with the policy and the fix. */
export async function checkCallbackTargets(submissions: Pick<TaskSubmission, 'callback_url'>[]): Promise<void> {
  const refusals = await Promise.all(submissions.map((s) => (s.callback_url ? callbackTargetRefusal(s.callback_url) : null)));
  const details: FieldError[] = refusals.flatMap((reason, index) =>
    reason ? [{ field: submissions.length > 1 ? `tasks[${index}].callback_url` : 'callback_url', rule: 'callback_policy', message: `${reason}; ${CALLBACK_POLICY}` }] : [],
  );
  if (details.length > 0) throw new ValidationError(`callback_url is refused: ${details[0].message}`, details);
}

/** Same key, same request: the stored fingerprint tells a replay from a reuse of the key. */
function fingerprint(submission: TaskSubmission): string {
  const { idempotency_key: _key, ...rest } = submission;
  return requestFingerprint(rest);
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
