import type { Topology } from '../amqp/topology';
import { dispatchMessage, taskEventMessage } from '../amqp/outbound-messages';
import type { SqlClient } from '../db/sql';
import { buildTaskEvent } from '../domain/task-event';
import { assertTransition, canTransition, IllegalTransitionError, sourcesOf } from '../domain/task-state-machine';
import type { TaskStatus } from '../domain/task-status';
import { NotFoundError } from '../errors/app-error';
import { findTask } from '../tables/tasks';
import { runTransitionStatement, TransitionStatement } from '../tables/tasks-transition';
import { TaskStateConflictError } from './task-state-conflict';
import type { Task, TransitionRequest, TransitionResult } from './transition-request';

/**
 * How TaskStore changes one task's status. Tries the one-statement compare-and-set first (the
 * common case: one round trip); when a guard does not hold, reads the row under its lock and says
 * why in a TaskStateConflictError (its `reason` and the `current` row), or applies the transition
 * if the row has come back into shape meanwhile. `committing` says whether `db` commits each
 * statement on its own (a pool: the fallback then runs in its own transaction, and the written
 * rows are published directly) or is the caller's transaction. A `from` the state machine forbids
 * is a bug and throws IllegalTransitionError before anything is sent.
 */
export async function applyTransition(db: SqlClient, topology: Topology, request: TransitionRequest, committing: { transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => Promise<T> } | null): Promise<TransitionResult> {
  const sources = request.from ?? sourcesOf(request.to);
  for (const from of sources) assertTransition(from, request.to);
  const direct = committing !== null && !request.locked;
  if (!request.locked) {
    const done = await runTransitionStatement(db, statementOf(topology, request, sources, direct));
    if (done) return done;
  }
  const explainOrApply = async (tx: SqlClient): Promise<TransitionResult> => {
    const current = request.locked ?? (await findTask(tx, request.taskId, { lock: true }));
    if (!current) throw new NotFoundError('task', request.taskId);
    const refusal = refusalOf(current, request, sources);
    if (refusal) throw refusal;
    const done = await runTransitionStatement(tx, statementOf(topology, request, sources, false));
    if (!done) throw new TaskStateConflictError(request.taskId, `task ${request.taskId} changed concurrently; re-read it and try again`, current.status, 'concurrent', current);
    return done;
  };
  return committing && !request.locked ? committing.transaction(explainOrApply) : explainOrApply(db);
}

/** The request as one statement: its event (from_status, attempt and worker filled in by SQL) and any dispatch. */
function statementOf(topology: Topology, request: TransitionRequest, sources: readonly TaskStatus[], direct: boolean): TransitionStatement {
  const occurredAt = new Date();
  const event = buildTaskEvent({ taskId: request.taskId, from: null, to: request.to, attempt: 0, workerId: request.eventWorkerId ?? null, notes: request.notes, occurredAt });
  const messages = [taskEventMessage(topology, event, request.correlationId)];
  let changes = request.data ?? {};
  if (request.dispatch) {
    // A retry's dispatch is written here, outside the Dispatcher's turns; it counts in the window once due.
    const { attempt, priority, delayMs } = request.dispatch;
    messages.push(dispatchMessage(topology, { id: request.taskId, attempt, priority }, request.correlationId, delayMs));
    changes = { ...changes, dispatchInMs: delayMs ?? 0 };
  }
  return {
    taskId: request.taskId,
    to: request.to,
    sources,
    attempt: request.attempt,
    workerId: request.workerId,
    noCancelRequested: request.noCancelRequested,
    timeoutAtMostMinutes: request.timeoutAtMostMinutes,
    changes,
    messages,
    eventWorkerFromRow: request.eventWorkerId === undefined,
    logLines: request.logLines,
    direct,
    occurredAt,
  };
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
