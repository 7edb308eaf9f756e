import { randomUUID } from 'node:crypto';
import { buildTaskEvent } from '../domain/task-event';
import { outboxHeaders } from '../tables/outbox';
import type { NewTask, TaskRow } from '../tables/tasks-insert';
import { MESSAGE_TYPES } from '../schemas/messages';

/** The rows of one submission call, with one occurred_at for all their `pending` events. */
export function toTaskRows(tasks: NewTask[], correlationId?: string): TaskRow[] {
  const occurredAt = new Date();
  const eventHeaders = outboxHeaders({ type: MESSAGE_TYPES.transition, correlationId });
  return tasks.map((task) => {
    const id = randomUUID();
    return {
      ...task,
      id,
      event: buildTaskEvent({ taskId: id, from: null, to: 'pending', attempt: 0, workerId: null, notes: task.retryOf ? `submitted: retry of ${task.retryOf}` : 'submitted', occurredAt }),
      eventHeaders,
      correlationId: correlationId ?? null,
    };
  });
}
