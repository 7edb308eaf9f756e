import type { Topology } from '../amqp/topology';
import type { SqlClient, SqlDb } from '../db/sql';
import { findTask } from '../tables/tasks';
import { assertTransition, canTransition, IllegalTransitionError, sourcesOf } from '../domain/task-state-machine';
import type { TaskStatus } from '../domain/task-status';
import { NotFoundError } from '../errors/app-error';
import { TaskStateConflictError } from './task-state-conflict';
import type { Task, TransitionRequest, TransitionResult } from './transition-request';
import { runTransitionStatement } from '../tables/tasks-transition';

/**
 * THE way to change a task's status. Tries the one-statement compare-and-set first (the common
 * case: one round trip); when a guard does not hold, reads the row under its lock and says why in
 * a TaskStateConflictError (its `reason` and the `current` row), or applies the transition if the
 * row has come back into shape meanwhile. Works on a pool (the fallback then runs in its own
 * transaction) or inside the caller's transaction. A `from` the state machine forbids is a bug and
 * throws IllegalTransitionError before anything is sent.
 */
export async function applyTransition(db: SqlClient | SqlDb, topology: Topology, request: TransitionRequest): Promise<TransitionResult> {
  const sources = request.from ?? sourcesOf(request.to);
  for (const from of sources) assertTransition(from, request.to);
  // Inside the caller's transaction nothing is committed yet: the relay publishes after its commit.
  if (request.publishDirectly && (request.locked || !isPool(db))) request = { ...request, publishDirectly: false };
  if (!request.locked) {
    const done = await runTransitionStatement(db, topology, request, sources);
    if (done) return done;
  }
  const explainOrApply = async (tx: SqlClient): Promise<TransitionResult> => {
    const current = request.locked ?? (await findTask(tx, request.taskId, { lock: true }));
    if (!current) throw new NotFoundError('task', request.taskId);
    const refusal = refusalOf(current, request, sources);
    if (refusal) throw refusal;
    const done = await runTransitionStatement(tx, topology, request, sources);
    if (!done) throw new TaskStateConflictError(request.taskId, `task ${request.taskId} changed concurrently; re-read it and try again`, current.status, 'concurrent', current);
    return done;
  };
  return request.locked || !isPool(db) ? explainOrApply(db) : db.$transaction(explainOrApply);
}

/** A pool, not a transaction's client (Prisma's has a $transaction of its own, but no $disconnect). */
function isPool(db: SqlClient | SqlDb): db is SqlDb {
  const candidate = db as Partial<SqlDb>;
  return typeof candidate.$transaction === 'function' && typeof candidate.$disconnect === 'function';
}

/** Why the transition cannot apply to this row, or null. Pure. */
export function refusalOf(current: Task, request: TransitionRequest, sources: readonly TaskStatus[]): TaskStateConflictError | null {
  const from = current.status as TaskStatus;
  const conflict = (reason: TaskStateConflictError['reason'], message: string) => new TaskStateConflictError(current.id, message, from, reason, current);
  if (!canTransition(from, request.to)) return conflict('illegal_transition', new IllegalTransitionError(from, request.to).message);
  if (!sources.includes(from)) return conflict('status', `task ${current.id} is ${from}, expected ${sources.join(' or ')}`);
  if (request.attempt !== undefined && current.attempt !== request.attempt) {
    return conflict('attempt', `task ${current.id} is on attempt ${current.attempt}, not ${request.attempt}`);
  }
  if (request.workerId !== undefined && current.workerId !== request.workerId) {
    return conflict('worker', `task ${current.id} is held by ${current.workerId ?? 'no worker'}, not ${request.workerId ?? 'no worker'}`);
  }
  if (request.noCancelRequested && current.cancelRequestedAt) return conflict('cancel_requested', `task ${current.id} has a cancel request`);
  if (request.timeoutAtMostMinutes !== undefined && current.timeoutMinutes > request.timeoutAtMostMinutes) {
    return conflict('timeout_limit', `task ${current.id} has timeout_minutes ${current.timeoutMinutes}, more than ${request.timeoutAtMostMinutes}`);
  }
  return null;
}
