import { createHash, randomUUID } from 'node:crypto';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import { findUnknownProblems } from '@aiopslab/shared/catalog/problem-catalog';
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
  validateProblemIds: boolean;
  /** Wakes the in-process outbox relay after the commit. */
  onCommitted: () => void;
}

export interface SubmittedTask {
  task: Task;
  /** True when an Idempotency-Key matched an earlier submission: nothing new was created. */
  replayed: boolean;
}

/**
 * Stores tasks, their `pending` events and their dispatch messages in one transaction: either
 * every task of the call exists and will be dispatched, or none does.
 */
export async function submitTasks(deps: SubmitDeps, submissions: TaskSubmission[], correlationId?: string): Promise<SubmittedTask[]> {
  checkKeysUnique(submissions);
  if (deps.validateProblemIds) await checkProblemsKnown(deps.db, submissions);
  try {
    return await insertAll(deps, submissions, correlationId);
  } catch (error) {
    // A concurrent request with the same Idempotency-Key committed first: answer with its task.
    if ((error as { code?: string }).code === 'P2002') return insertAll(deps, submissions, correlationId);
    throw error;
  }
}

async function insertAll(deps: SubmitDeps, submissions: TaskSubmission[], correlationId?: string): Promise<SubmittedTask[]> {
  const results = await deps.db.$transaction(async (tx) => {
    const existing = await findReplays(tx, submissions);
    const fresh = submissions.filter((s) => !s.idempotency_key || !existing.has(s.idempotency_key));
    const created = new Map<TaskSubmission, Task>();
    if (fresh.length > 0) {
      const now = new Date();
      const rows = fresh.map((submission) => toRow(submission, now));
      await tx.task.createMany({ data: rows });
      await enqueueOutbox(tx, rows.flatMap((row, i) => announce(deps.topology, row.id, fresh[i].priority, correlationId)));
      const stored = await tx.task.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
      const byId = new Map(stored.map((t) => [t.id, t]));
      rows.forEach((row, i) => created.set(fresh[i], byId.get(row.id)!));
    }
    return submissions.map((submission) => {
      const replay = submission.idempotency_key ? existing.get(submission.idempotency_key) : undefined;
      return replay ? { task: replay, replayed: true } : { task: created.get(submission)!, replayed: false };
    });
  });
  if (results.some((r) => !r.replayed)) deps.onCommitted();
  return results;
}

function toRow(submission: TaskSubmission, now: Date) {
  return {
    id: randomUUID(),
    problemId: submission.problem_id,
    status: 'pending',
    priority: submission.priority,
    agentConfig: submission.agent_config as object,
    maxSteps: submission.max_steps,
    timeoutMinutes: submission.timeout_minutes,
    maxRetries: submission.max_retries,
    callbackUrl: submission.callback_url ?? null,
    metadata: submission.metadata as object,
    parameters: submission.parameters as object,
    idempotencyKey: submission.idempotency_key ?? null,
    idempotencyFingerprint: submission.idempotency_key ? fingerprint(submission) : null,
    createdAt: now,
    updatedAt: now,
  };
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

async function checkProblemsKnown(db: Db, submissions: TaskSubmission[]): Promise<void> {
  const unknown = new Set(await findUnknownProblems(db, submissions.map((s) => s.problem_id)));
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
