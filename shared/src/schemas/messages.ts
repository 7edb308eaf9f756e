import { TASK_STATUSES, TaskStatus } from '../domain/task-status';

/** Bodies of the messages on the broker; every consumer validates them with ajv on receipt. */

export const MESSAGE_TYPES = {
  dispatch: 'task.dispatch',
  cancel: 'task.cancel',
  transition: 'task.transition',
} as const;

const uuid = { type: 'string', format: 'uuid' } as const;

/** A wake-up for workers: the database row is the truth. */
export const dispatchMessageSchema = {
  type: 'object',
  properties: { task_id: uuid, attempt: { type: 'integer', minimum: 0 } },
  required: ['task_id'],
  additionalProperties: true,
} as const;

export interface DispatchMessage {
  task_id: string;
  attempt?: number;
}

export const cancelMessageSchema = {
  type: 'object',
  properties: { task_id: uuid, attempt: { type: 'integer', minimum: 1 }, requested_at: { type: 'string', format: 'date-time' } },
  required: ['task_id', 'attempt', 'requested_at'],
  additionalProperties: true,
} as const;

export interface CancelMessage {
  task_id: string;
  attempt: number;
  requested_at: string;
}

export const taskEventSchema = {
  type: 'object',
  properties: {
    event_id: uuid,
    task_id: uuid,
    from_status: { anyOf: [{ type: 'null' }, { type: 'string', enum: TASK_STATUSES }] },
    to_status: { type: 'string', enum: TASK_STATUSES },
    attempt: { type: 'integer', minimum: 0 },
    worker_id: { type: ['string', 'null'], maxLength: 255 },
    occurred_at: { type: 'string', format: 'date-time' },
    notes: { type: ['string', 'null'], maxLength: 4000 },
  },
  required: ['event_id', 'task_id', 'from_status', 'to_status', 'attempt', 'occurred_at'],
  additionalProperties: true,
} as const;

export interface TaskEvent {
  event_id: string;
  task_id: string;
  from_status: TaskStatus | null;
  to_status: TaskStatus;
  attempt: number;
  worker_id: string | null;
  occurred_at: string;
  notes: string | null;
}
