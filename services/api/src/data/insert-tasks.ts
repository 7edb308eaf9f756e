import { randomUUID } from 'node:crypto';
import type { Topology } from '@aiopslab/shared/amqp/topology';
import type { SqlClient } from '@aiopslab/shared/db/sql';
import type { Task } from '@aiopslab/shared/db/task-row';
import { buildTaskEvent } from '@aiopslab/shared/domain/task-event';
import { outboxHeaders } from '@aiopslab/shared/outbox/outbox-writer';
import { MESSAGE_TYPES, TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { TaskSubmission } from '@aiopslab/shared/schemas/task-submission';

export type StoredTask = Pick<Task, 'id' | 'status' | 'createdAt'>;

/** Where a task sits in a run's grid; absent for a task outside any run. */
export interface RunPlacement {
  runId: string;
  agentLabel: string;
  repeatIndex: number;
}

export interface NewTask {
  submission: TaskSubmission;
  /** sha256 of the request when it carries an idempotency key (stored to tell replays from reuse). */
  fingerprint: string | null;
  placement?: RunPlacement;
  /** The task this one retries (POST /runs/{id}/retry, POST /tasks/{id}/retry). */
  retryOf?: string;
}

export interface TaskRow extends NewTask {
  id: string;
  event: TaskEvent;
  eventHeaders: string;
  dispatchId: string;
  dispatchHeaders: string;
}

/** The rows of one submission call; what every row shares (headers, time) is built once. */
export function toTaskRows(tasks: NewTask[], correlationId?: string): TaskRow[] {
  const occurredAt = new Date();
  const eventHeaders = JSON.stringify(outboxHeaders({ type: MESSAGE_TYPES.transition, correlationId }));
  const dispatchHeaders = new Map<number, string>();
  const dispatchHeadersOf = (priority: number) => {
    let headers = dispatchHeaders.get(priority);
    if (headers === undefined) dispatchHeaders.set(priority, (headers = JSON.stringify(outboxHeaders({ type: MESSAGE_TYPES.dispatch, correlationId, priority }))));
    return headers;
  };
  return tasks.map((task) => {
    const id = randomUUID();
    return {
      ...task,
      id,
      event: buildTaskEvent({ taskId: id, from: null, to: 'pending', attempt: 0, workerId: null, notes: task.retryOf ? `submitted: retry of ${task.retryOf}` : 'submitted', occurredAt }),
      eventHeaders,
      dispatchId: randomUUID(),
      dispatchHeaders: dispatchHeadersOf(task.submission.priority),
    };
  });
}

/** JSON text of objects that many rows share (a run's agent configs, metadata): stringified once. */
function jsonOnce() {
  const cache = new WeakMap<object, string>();
  return (value: unknown) => {
    if (!value || typeof value !== 'object') return JSON.stringify(value);
    let text = cache.get(value);
    if (text === undefined) cache.set(value, (text = JSON.stringify(value)));
    return text;
  };
}

/**
 * Tasks, their `pending` events and dispatch messages in ONE statement and round trip (the caller
 * wakes its relay after the commit): every submission path (POST /tasks, /tasks/batch, /runs,
 * retries) stores tasks through here. A task whose idempotency key exists already is skipped
 * (ON CONFLICT), and so are its messages.
 */
export async function insertTasks(db: SqlClient, topology: Topology, rows: TaskRow[]): Promise<Map<string, StoredTask>> {
  const column = <T>(pick: (r: TaskRow) => T) => rows.map(pick);
  const s = (pick: (t: TaskSubmission) => unknown) => column((r) => pick(r.submission));
  const json = jsonOnce();
  const inserted = await db.$queryRaw<{ id: string; created_at: Date }[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((r) => r.id)}::uuid[], ${s((t) => t.problem_id)}::text[], ${s((t) => t.priority)}::smallint[], ${s((t) => json(t.agent_config))}::jsonb[],
        ${s((t) => t.max_steps)}::int[], ${s((t) => t.timeout_minutes)}::int[], ${s((t) => t.max_retries)}::int[], ${s((t) => t.callback_url ?? null)}::text[],
        ${s((t) => json(t.metadata))}::jsonb[], ${s((t) => json(t.parameters))}::jsonb[], ${s((t) => t.idempotency_key ?? null)}::text[],
        ${column((r) => r.fingerprint)}::text[], ${column((r) => r.event.event_id)}::uuid[], ${column((r) => JSON.stringify(r.event))}::jsonb[],
        ${column((r) => r.eventHeaders)}::jsonb[], ${column((r) => r.dispatchId)}::uuid[], ${column((r) => r.dispatchHeaders)}::jsonb[],
        ${column((r) => r.placement?.runId ?? null)}::uuid[], ${column((r) => r.placement?.agentLabel ?? null)}::text[],
        ${column((r) => r.placement?.repeatIndex ?? null)}::int[], ${column((r) => r.retryOf ?? null)}::uuid[])
      AS i(id, problem_id, priority, agent_config, max_steps, timeout_minutes, max_retries, callback_url, metadata, parameters, idempotency_key,
           idempotency_fingerprint, event_id, event, event_headers, dispatch_id, dispatch_headers, run_id, agent_label, repeat_index, retry_of)
    ), inserted AS (
      INSERT INTO tasks (id, problem_id, status, priority, agent_config, max_steps, timeout_minutes, max_retries, callback_url, metadata, parameters, idempotency_key,
                         idempotency_fingerprint, run_id, agent_label, repeat_index, retry_of)
      SELECT id, problem_id, 'pending', priority, agent_config, max_steps, timeout_minutes, max_retries, callback_url, metadata, parameters, idempotency_key,
             idempotency_fingerprint, run_id, agent_label, repeat_index, retry_of
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
