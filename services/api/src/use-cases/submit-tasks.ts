import { createHash, randomUUID } from 'node:crypto';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { Db, Tx } from '@aiopslab/shared/db/prisma-client';
import type { Task } from '@aiopslab/shared/db/task-transition';
import { buildTaskEvent } from '@aiopslab/shared/domain/task-event';
import { ConflictError, FieldError, ValidationError } from '@aiopslab/shared/errors/app-error';
import { enqueueOutbox, OutboxMessageInput } from '@aiopslab/shared/outbox/outbox-writer';
import { MESSAGE_TYPES } from '@aiopslab/shared/schemas/messages';
import type { TaskSubmission } from '@aiopslab/shared/schemas/task-submission';

export interface SubmitDeps {
  db: Db;
  topology: Topology;
  /** Returns the ids missing from the problem catalog; absent = no check. */
  findUnknownProblems?: (ids: string[]) => Promise<string[]>;
  /** Wakes the in-process outbox relay after the commit. */
  onCommitted: () => void;
}

type StoredTask = Pick<Task, 'id' | 'status' | 'createdAt'>;

export interface SubmittedTask {
  task: StoredTask;
  /** True when an Idempotency-Key matched an earlier submission: nothing new was created. */
  replayed: boolean;
}

/**
 * Stores tasks, their `pending` events and their dispatch messages in one transaction: either
 * every task of the call exists and will be dispatched, or none does.
 */
export async function submitTasks(deps: SubmitDeps, submissions: TaskSubmission[], correlationId?: string): Promise<SubmittedTask[]> {
  checkKeysUnique(submissions);
  if (deps.findUnknownProblems) await checkProblemsKnown(deps.findUnknownProblems, submissions);
  try {
    return await insertAll(deps, submissions, correlationId);
  } catch (error) {
    // A concurrent request with the same Idempotency-Key committed first: answer with its task.
    if (isUniqueViolation(error)) return insertAll(deps, submissions, correlationId);
    throw error;
  }
}

async function insertAll(deps: SubmitDeps, submissions: TaskSubmission[], correlationId?: string): Promise<SubmittedTask[]> {
  const results = await deps.db.$transaction(async (tx) => {
    const existing = await findReplays(tx, submissions);
    const fresh = submissions.filter((s) => !s.idempotency_key || !existing.has(s.idempotency_key));
    const created = new Map<TaskSubmission, StoredTask>();
    if (fresh.length > 0) {
      const stored = await insertTasks(tx, fresh);
      await enqueueOutbox(tx, stored.flatMap((row, i) => announce(deps.topology, row.id, fresh[i].priority, correlationId)));
      stored.forEach((row, i) => created.set(fresh[i], row));
    }
    return submissions.map((submission) => {
      const replay = submission.idempotency_key ? existing.get(submission.idempotency_key) : undefined;
      return replay ? { task: replay, replayed: true } : { task: created.get(submission)!, replayed: false };
    });
  });
  if (results.some((r) => !r.replayed)) deps.onCommitted();
  return results;
}

/** One multi-row INSERT for the whole call (a batch of 1000 is one statement, not 1000). */
async function insertTasks(tx: Tx, submissions: TaskSubmission[]): Promise<StoredTask[]> {
  const column = <T>(pick: (s: TaskSubmission) => T) => submissions.map(pick);
  const ids = submissions.map(() => randomUUID());
  const rows = await tx.$queryRaw<{ id: string; status: string; created_at: Date }[]>`
    INSERT INTO tasks (id, problem_id, status, priority, agent_config, max_steps, timeout_minutes, max_retries, callback_url, metadata, parameters, idempotency_key, idempotency_fingerprint)
    SELECT * FROM unnest(
      ${ids}::uuid[], ${column((s) => s.problem_id)}::text[], ${column(() => 'pending')}::text[], ${column((s) => s.priority)}::smallint[],
      ${column((s) => JSON.stringify(s.agent_config))}::jsonb[], ${column((s) => s.max_steps)}::int[], ${column((s) => s.timeout_minutes)}::int[],
      ${column((s) => s.max_retries)}::int[], ${column((s) => s.callback_url ?? null)}::text[], ${column((s) => JSON.stringify(s.metadata))}::jsonb[],
      ${column((s) => JSON.stringify(s.parameters))}::jsonb[], ${column((s) => s.idempotency_key ?? null)}::text[],
      ${column((s) => (s.idempotency_key ? fingerprint(s) : null))}::text[])
    RETURNING id, status, created_at`;
  const byId = new Map(rows.map((row) => [row.id, { id: row.id, status: row.status, createdAt: row.created_at }]));
  return ids.map((id) => byId.get(id)!);
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string }; message?: string };
  return e?.code === 'P2002' || e?.meta?.code === '23505' || /\b23505\b|unique constraint/i.test(e?.message ?? '');
}

function announce(topology: Topology, taskId: string, priority: number, correlationId?: string): OutboxMessageInput[] {
  const event = buildTaskEvent({ taskId, from: null, to: 'pending', attempt: 0, workerId: null, notes: 'submitted' });
  return [
    { exchange: topology.exchanges.events, routingKey: topology.eventRoutingKey('pending'), type: MESSAGE_TYPES.transition, payload: event, messageId: event.event_id, correlationId },
    { exchange: topology.exchanges.tasks, routingKey: topology.routing.dispatch, type: MESSAGE_TYPES.dispatch, payload: { task_id: taskId, attempt: 0 }, priority, correlationId },
  ];
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

async function findReplays(tx: Tx, submissions: TaskSubmission[]): Promise<Map<string, Task>> {
  const keys = submissions.map((s) => s.idempotency_key).filter((k): k is string => !!k);
  if (keys.length === 0) return new Map();
  const rows = await tx.task.findMany({ where: { idempotencyKey: { in: keys } } });
  const byKey = new Map(rows.map((row) => [row.idempotencyKey!, row]));
  for (const submission of submissions) {
    const row = submission.idempotency_key ? byKey.get(submission.idempotency_key) : undefined;
    if (row && row.idempotencyFingerprint !== fingerprint(submission)) {
      throw new ConflictError('idempotency_key_reused', `Idempotency-Key "${submission.idempotency_key}" was already used for a different request (task ${row.id}); use a new key for a new task`, {
        task_id: row.id,
      });
    }
  }
  return byKey;
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

async function checkProblemsKnown(findUnknown: (ids: string[]) => Promise<string[]>, submissions: TaskSubmission[]): Promise<void> {
  const unknown = new Set(await findUnknown(submissions.map((s) => s.problem_id)));
  if (unknown.size === 0) return;
  const single = submissions.length === 1;
  const details: FieldError[] = [];
  const invalidIndexes: number[] = [];
  submissions.forEach((s, index) => {
    if (!unknown.has(s.problem_id)) return;
    invalidIndexes.push(index);
    details.push({ field: single ? 'problem_id' : `tasks[${index}].problem_id`, rule: 'catalog', message: `unknown problem "${s.problem_id}"; GET /problems lists the known ids` });
  });
  throw new ValidationError(`unknown problem_id: ${[...unknown].slice(0, 5).join(', ')}`, details, single ? {} : { invalid_indexes: invalidIndexes });
}
