import { createAjv, createValidator, toFieldErrors } from '@aiopslab/shared/schemas/validator';
import { ValidationError } from '@aiopslab/shared/errors/app-error';
import { idempotencyKeyHeaderSchema, TaskSubmission, taskBatchSchema, taskSubmissionSchema } from '@aiopslab/shared/schemas/task-submission';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { listTasksQuerySchema, listWorkersQuerySchema, logsQuerySchema, sessionQuerySchema, uuidParamSchema, workerHeartbeatSchema, workerIdSchema, workerRegistrationSchema } from './request-schemas';
import type { ListTasksQuery } from '../use-cases/list-tasks';
import type { WorkerStatus } from '@aiopslab/shared/tables/workers';
import { createRunValidators, RunValidators } from './run-validators';

/** Query strings arrive as text: a separate ajv coerces "50" to 50 and "true" to true. */
function createQueryAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false });
  addFormats(ajv);
  return ajv;
}

function queryValidator<T>(ajv: Ajv, schema: object) {
  const validate = ajv.compile(schema);
  return (query: unknown): T => {
    const copy = { ...(query as object) };
    const arrays = Object.entries(copy).filter(([, v]) => typeof v !== 'string');
    if (arrays.length > 0) {
      throw new ValidationError('each query parameter may appear once', arrays.map(([k]) => ({ field: k, rule: 'single', message: 'give this parameter once, as a plain value' })));
    }
    if (!validate(copy)) throw new ValidationError('query parameters are invalid', toFieldErrors(validate.errors));
    return copy as T;
  };
}

export interface Validators extends RunValidators {
  submission(body: unknown): TaskSubmission;
  batch(body: unknown): { tasks: TaskSubmission[] };
  idempotencyKeyHeader(value: string): string;
  taskId(value: string): string;
  workerId(value: string): string;
  listTasksQuery(query: unknown): ListTasksQuery;
  logsQuery(query: unknown): { after_seq: number; limit: number; follow: boolean };
  listWorkersQuery(query: unknown): { status?: WorkerStatus };
  sessionQuery(query: unknown): { attempt?: number };
  registration(body: unknown): { worker_id: string; hostname: string; cluster_name?: string | null; backend: string; version: string };
  heartbeat(body: unknown): { worker_id: string; status: 'idle' | 'busy' | 'draining'; current_task_id?: string | null; cluster_name?: string | null };
}

export function createValidators(maxTimeoutMinutes: number): Validators {
  const ajv = createAjv();
  const queryAjv = createQueryAjv();
  const batch = ajv.compile(taskBatchSchema(maxTimeoutMinutes));
  const param = (schema: object, field: string, hint: string) => {
    const validate: (data: unknown) => boolean = ajv.compile(schema);
    return (value: string) => {
      if (!validate(value)) throw new ValidationError(`${field} "${String(value).slice(0, 100)}" is invalid: ${hint}`, [{ field, rule: 'format', message: hint }]);
      return value;
    };
  };
  return {
    submission: createValidator<TaskSubmission>(ajv, taskSubmissionSchema(maxTimeoutMinutes), 'task'),
    batch: (body) => {
      if (!batch(body)) {
        const details = toFieldErrors(batch.errors).map((d) => ({ ...d, field: d.field.replace(/^tasks\.(\d+)/, 'tasks[$1]') }));
        const indexes = [...new Set(details.map((d) => /^tasks\[(\d+)\]/.exec(d.field)?.[1]).filter((i): i is string => i !== undefined).map(Number))];
        throw new ValidationError(`batch is invalid${indexes.length ? ` at index ${indexes.join(', ')}` : ''}; nothing was stored`, details, { invalid_indexes: indexes });
      }
      return body as { tasks: TaskSubmission[] };
    },
    idempotencyKeyHeader: param(idempotencyKeyHeaderSchema, 'Idempotency-Key', 'must be 1-255 visible ASCII characters'),
    taskId: param(uuidParamSchema, 'id', 'must be a task id (a UUID such as 3f1c9a4e-...)'),
    workerId: param(workerIdSchema, 'id', 'must be a worker id: letters, digits, . _ -'),
    listTasksQuery: queryValidator(queryAjv, listTasksQuerySchema),
    logsQuery: queryValidator(queryAjv, logsQuerySchema),
    listWorkersQuery: queryValidator(queryAjv, listWorkersQuerySchema),
    sessionQuery: queryValidator(queryAjv, sessionQuerySchema),
    registration: createValidator(ajv, workerRegistrationSchema, 'worker registration'),
    heartbeat: createValidator(ajv, workerHeartbeatSchema, 'heartbeat'),
    ...createRunValidators(ajv, (schema) => queryValidator(queryAjv, schema), maxTimeoutMinutes),
  };
}
