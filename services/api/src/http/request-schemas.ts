import { TASK_STATUSES } from '@aiopslab/shared/domain/task-status';
import { WORKER_STATUSES } from '@aiopslab/shared/tables/workers';

/** Schemas of query strings, path parameters and worker bodies; also rendered into OpenAPI. */
export const uuidParamSchema = { type: 'string', format: 'uuid' } as const;
export const workerIdSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' } as const;

const isoTime = { type: 'string', format: 'date-time' } as const;

export const listTasksQuerySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: TASK_STATUSES },
    problem_id: { type: 'string', minLength: 1, maxLength: 200 },
    task_type: { type: 'string', minLength: 1, maxLength: 64, description: "the problems' task type in the catalog (GET /problems): detection, localization, analysis, mitigation" },
    worker_id: workerIdSchema,
    run_id: uuidParamSchema,
    agent_label: { type: 'string', minLength: 1, maxLength: 64, description: "a run's agent label (POST /runs agents[].label); fastest together with run_id" },
    created_after: isoTime,
    created_before: isoTime,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', minLength: 1, maxLength: 512 },
  },
  additionalProperties: false,
} as const;

export const logsQuerySchema = {
  type: 'object',
  properties: {
    after_seq: { type: 'integer', minimum: 0, maximum: 2147483647, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
    follow: { type: 'boolean', default: false },
  },
  additionalProperties: false,
} as const;

export const sessionQuerySchema = {
  type: 'object',
  properties: { attempt: { type: 'integer', minimum: 1, maximum: 2147483647, description: 'the attempt whose session to return; default: the latest attempt with one kept' } },
  additionalProperties: false,
} as const;

export const listWorkersQuerySchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: WORKER_STATUSES } },
  additionalProperties: false,
} as const;

export const workerRegistrationSchema = {
  type: 'object',
  properties: {
    worker_id: workerIdSchema,
    hostname: { type: 'string', minLength: 1, maxLength: 255 },
    cluster_name: { type: ['string', 'null'], maxLength: 255 },
    backend: { type: 'string', enum: ['kind', 'existing', 'none'] },
    version: { type: 'string', minLength: 1, maxLength: 64 },
  },
  required: ['worker_id', 'hostname', 'backend', 'version'],
  additionalProperties: false,
} as const;

export const workerHeartbeatSchema = {
  type: 'object',
  properties: {
    worker_id: workerIdSchema,
    status: { type: 'string', enum: ['idle', 'busy', 'draining'] },
    current_task_id: { anyOf: [{ type: 'null' }, uuidParamSchema] },
    cluster_name: { type: ['string', 'null'], maxLength: 255 },
  },
  required: ['worker_id', 'status'],
  additionalProperties: false,
} as const;
