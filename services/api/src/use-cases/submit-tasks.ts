import type { SqlClient } from '@aiopslab/shared/db/sql';
import { findTasksByIdempotencyKeys, Task } from '@aiopslab/shared/tables/tasks';
import { CALLBACK_POLICY, callbackTargetRefusal } from '@aiopslab/shared/callbacks/callback-target';
import { ConflictError, FieldError, ValidationError } from '@aiopslab/shared/errors/app-error';
import type { TaskSubmission } from '@aiopslab/shared/schemas/task-submission';
import type { NewTask, StoredTask } from '@aiopslab/shared/tables/tasks-insert';
import type { SubmittedTasks, TaskStore, TaskWriter } from '@aiopslab/shared/task-store/task-store';
import { requestFingerprint } from './request-fingerprint';

export interface SubmitDeps {
  tasks: TaskStore;
  /** Returns the ids missing from the problem catalog; absent = no check. */
  findUnknownProblems?: (ids: string[]) => Promise<string[]>;
  /** The message for an id findUnknownProblems returned (unknown, or not run by this service). */
  describeUnknownProblem?: (id: string) => string;
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
  const tasks: NewTask[] = submissions.map((submission) => ({ submission, fingerprint: submission.idempotency_key ? fingerprint(submission) : null }));
  const store = async (writer: TaskWriter, sql: SqlClient) => {
    const submitted = await writer.submit(tasks, correlationId);
    return answer(tasks, submitted, await findReplays(sql, tasks, submitted.ids));
  };
  // A single statement commits on its own; keys in a batch must all replay or all be new.
  const needsTransaction = submissions.length > 1 && submissions.some((s) => s.idempotency_key);
  return needsTransaction ? deps.tasks.inTransaction((tx) => store(tx, tx.sql)) : store(deps.tasks, deps.tasks.db);
}

/** The earlier tasks of the keys that were skipped; a key reused with another request is a 409. */
async function findReplays(db: SqlClient, tasks: NewTask[], ids: string[]): Promise<Map<string, Task>> {
  const keys = tasks.map((t) => t.submission.idempotency_key).filter((k): k is string => !!k);
  if (keys.length === 0) return new Map();
  const existing = await findTasksByIdempotencyKeys(db, keys, ids);
  const byKey = new Map(existing.map((task) => [task.idempotencyKey!, task]));
  for (const row of tasks) {
    const task = row.submission.idempotency_key ? byKey.get(row.submission.idempotency_key) : undefined;
    if (task && task.idempotencyFingerprint !== row.fingerprint) {
      throw new ConflictError('idempotency_key_reused', `Idempotency-Key "${row.submission.idempotency_key}" was already used for a different request (task ${task.id}); use a new key for a new task`, {
        task_id: task.id,
      });
    }
  }
  return byKey;
}

function answer(tasks: NewTask[], submitted: SubmittedTasks, replays: Map<string, Task>): SubmittedTask[] {
  return tasks.map((row, index) => {
    const created: StoredTask | undefined = submitted.stored.get(submitted.ids[index]);
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
