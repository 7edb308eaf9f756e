import type { Topology } from '../amqp/topology';
import { buildTaskEvent } from '../domain/task-event';
import { assertTransition } from '../domain/task-state-machine';
import { isTerminal, TaskStatus } from '../domain/task-status';
import { enqueueOutbox } from '../tables/outbox';
import { MESSAGE_TYPES } from '../schemas/messages';
import type { SqlClient } from '../db/sql';
import { updateLockedTasks } from '../tables/tasks-transition';
import { TaskStateConflictError } from './task-state-conflict';

/** A task row as the caller read it under FOR UPDATE in the current transaction. */
export interface LockedTask {
  id: string;
  status: TaskStatus;
  attempt: number;
}

/**
 * The set form of applyTransition, for many rows the caller already holds locked (a run's
 * cancel moves up to 50,000 tasks: one statement each would take seconds). Same rules: the state
 * machine allows every move, the UPDATE is a compare-and-set on (id, status, attempt), and each
 * task's `task.events` message is written to the outbox in the same transaction. Any row that
 * did not match rolls the caller's transaction back with TaskStateConflictError.
 */
export async function transitionLockedTasks(tx: SqlClient, topology: Topology, rows: LockedTask[], to: TaskStatus, notes: string, correlationId?: string): Promise<void> {
  if (rows.length === 0) return;
  for (const row of rows) assertTransition(row.status, to);
  const at = new Date();
  const updated = await updateLockedTasks(tx, rows, to, at, isTerminal(to));
  if (updated !== rows.length) {
    throw new TaskStateConflictError(rows[0].id, `${rows.length - updated} of ${rows.length} tasks changed concurrently; re-read them and try again`, 'unknown', 'concurrent');
  }
  const events = rows.map((row) => buildTaskEvent({ taskId: row.id, from: row.status, to, attempt: row.attempt, workerId: null, notes, occurredAt: at }));
  await enqueueOutbox(
    tx,
    events.map((event) => ({ exchange: topology.exchanges.events, routingKey: topology.eventRoutingKey(to), type: MESSAGE_TYPES.transition, payload: event, messageId: event.event_id, correlationId })),
  );
}
