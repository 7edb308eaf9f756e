import type { Topology } from '../amqp/topology';
import { taskEventMessage } from '../amqp/outbound-messages';
import type { SqlClient } from '../db/sql';
import { buildTaskEvent } from '../domain/task-event';
import { assertTransition } from '../domain/task-state-machine';
import type { TaskStatus } from '../domain/task-status';
import { enqueueOutbox } from '../tables/outbox';
import { updateLockedTasks } from '../tables/tasks-transition';
import { TaskStateConflictError } from './task-state-conflict';

/** A task row as the caller read it under FOR UPDATE in the current transaction. */
export interface LockedTask {
  id: string;
  status: TaskStatus;
  attempt: number;
}

/**
 * The set form of a transition, for many rows the caller already holds locked (a run's cancel
 * moves up to 50,000 tasks: one statement each would take seconds). Same rules as the single
 * form: the state machine allows every move, the UPDATE is a compare-and-set on (id, status,
 * attempt) with the same terminal rule, and each task's `task.events` message, with the same
 * `callback` header, is written to the outbox in the same transaction. Any row that did not match
 * rolls the caller's transaction back with TaskStateConflictError.
 */
export async function transitionMany(tx: SqlClient, topology: Topology, rows: LockedTask[], to: TaskStatus, notes: string, correlationId?: string): Promise<void> {
  if (rows.length === 0) return;
  for (const row of rows) assertTransition(row.status, to);
  const at = new Date();
  const updated = await updateLockedTasks(tx, rows, to, at);
  if (updated.length !== rows.length) {
    throw new TaskStateConflictError(rows[0].id, `${rows.length - updated.length} of ${rows.length} tasks changed concurrently; re-read them and try again`, 'unknown', 'concurrent');
  }
  const callbacks = new Map(updated.map((row) => [row.id, row.callback]));
  await enqueueOutbox(
    tx,
    rows.map((row) => taskEventMessage(topology, buildTaskEvent({ taskId: row.id, from: row.status, to, attempt: row.attempt, workerId: null, notes, occurredAt: at }), correlationId, callbacks.get(row.id))),
  );
}
