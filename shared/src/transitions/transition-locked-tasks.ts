import type { Topology } from '../amqp/topology';
import { buildTaskEvent } from '../domain/task-event';
import { assertTransition } from '../domain/task-state-machine';
import { isTerminal, TaskStatus } from '../domain/task-status';
import { enqueueOutbox } from '../outbox/outbox-writer';
import { MESSAGE_TYPES } from '../schemas/messages';
import type { SqlClient } from '../db/sql';
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
  const terminal = isTerminal(to);
  const updated = await tx.$executeRaw`
    UPDATE tasks t SET status = ${to}, updated_at = ${at}::timestamptz,
      completed_at = CASE WHEN ${terminal}::boolean THEN ${at}::timestamptz ELSE t.completed_at END,
      lease_expires_at = CASE WHEN ${terminal}::boolean THEN NULL ELSE t.lease_expires_at END
    FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.attempt)}::int[]) AS c(id, status, attempt)
    WHERE t.id = c.id AND t.status = c.status AND t.attempt = c.attempt`;
  if (updated !== rows.length) {
    throw new TaskStateConflictError(rows[0].id, `${rows.length - updated} of ${rows.length} tasks changed concurrently; re-read them and try again`, 'unknown', 'concurrent');
  }
  const events = rows.map((row) => buildTaskEvent({ taskId: row.id, from: row.status, to, attempt: row.attempt, workerId: null, notes, occurredAt: at }));
  await enqueueOutbox(
    tx,
    events.map((event) => ({ exchange: topology.exchanges.events, routingKey: topology.eventRoutingKey(to), type: MESSAGE_TYPES.transition, payload: event, messageId: event.event_id, correlationId })),
  );
}
