import { randomUUID } from 'node:crypto';
import type { TaskEvent } from '../schemas/messages';
import type { TaskStatus } from './task-status';

/** The event that announces one transition; its event_id makes recording it idempotent. */
export function buildTaskEvent(input: {
  taskId: string;
  from: TaskStatus | null;
  to: TaskStatus;
  attempt: number;
  workerId: string | null;
  notes: string;
  occurredAt?: Date;
}): TaskEvent {
  return {
    event_id: randomUUID(),
    task_id: input.taskId,
    from_status: input.from,
    to_status: input.to,
    attempt: input.attempt,
    worker_id: input.workerId,
    occurred_at: (input.occurredAt ?? new Date()).toISOString(),
    notes: input.notes,
  };
}
