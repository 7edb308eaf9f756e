import { TASK_STATUSES } from '@aiopslab/shared/domain/task-status';
import { WORKER_STATUSES } from '@aiopslab/shared/tables/workers';
import { taskBatchSchema, taskSubmissionSchema } from '@aiopslab/shared/schemas/task-submission';
import { runsOpenApi } from './runs-paths';
import { listTasksQuerySchema, listWorkersQuerySchema, logsQuerySchema, sessionQuerySchema, workerHeartbeatSchema, workerRegistrationSchema } from '../http/request-schemas';

/** Our ajv-only keywords become OpenAPI extensions; everything else is JSON Schema 2020-12. */
function toOpenApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => (key === 'maxDepth' ? ['x-max-depth', value] : [key, toOpenApiSchema(value)])));
}

function queryParameters(schema: { properties: Record<string, unknown> }) {
  return Object.entries(schema.properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: toOpenApiSchema(s) }));
}

const problem = { description: 'RFC 9457 problem details', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const json = (ref: string, description = 'OK') => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const databaseUnavailable = {
  description: 'The database is unreachable (code `database_unavailable`): nothing was stored or read; retry after Retry-After seconds',
  headers: { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } },
  content: problem.content,
};
const errors = { 400: problem, 401: problem, 404: problem, 429: problem, 500: problem, 503: databaseUnavailable };

/** The OpenAPI 3.1 document, generated from the same schemas the validators use. */
export function buildOpenApiDocument(maxTimeoutMinutes: number) {
  const runs = runsOpenApi(maxTimeoutMinutes, { toOpenApiSchema, queryParameters, errors, problem });
  return {
    openapi: '3.1.0',
    info: { title: 'AIOpsLab task service', version: '0.1.0', description: 'Submit AIOpsLab problems, follow their execution on dedicated Kind clusters, and read results, logs and status history.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Only when the deployment sets API_TOKEN (worker endpoints: WORKER_TOKEN)' } },
      schemas: {
        TaskSubmission: toOpenApiSchema(taskSubmissionSchema(maxTimeoutMinutes)),
        TaskBatch: toOpenApiSchema(taskBatchSchema(maxTimeoutMinutes)),
        Submitted: { type: 'object', properties: { task_id: { type: 'string', format: 'uuid' }, status: { enum: TASK_STATUSES }, submitted_at: { type: 'string', format: 'date-time' }, replayed: { type: 'boolean' } } },
        Task: { type: 'object', description: 'A task with result, error and status_history', additionalProperties: true, properties: { task_id: { type: 'string', format: 'uuid' }, status: { enum: TASK_STATUSES }, dispatched_at: { type: ['string', 'null'], format: 'date-time', description: 'when its dispatch message entered (or, for a delayed retry, enters) the broker; null: pending, waiting for its turn in the dispatch window (docs/messaging.md, "Fair sharing")' }, status_history: { type: 'array', items: { type: 'object' } }, sessions: { type: 'array', description: 'what is kept of each attempt\'s session (GET /tasks/{id}/session returns one)', items: { type: 'object', properties: { attempt: { type: 'integer' }, size_bytes: { type: 'integer' }, in_database: { type: 'boolean', description: 'false: over SESSION_MAX_BYTES, kept only as a file on the worker host' }, source: { type: 'string' } } } }, callback: { $ref: '#/components/schemas/CallbackDelivery' } } },
        CallbackDelivery: {
          type: ['object', 'null'],
          description: 'Delivery of callback_url (null without one): pending until the first attempt, then retrying, delivered or failed',
          properties: { url: { type: 'string' }, status: { enum: ['pending', 'retrying', 'delivered', 'failed'] }, attempts: { type: 'integer' }, last_error: { type: ['string', 'null'] }, last_attempt_at: { type: ['string', 'null'], format: 'date-time' }, delivered_at: { type: ['string', 'null'], format: 'date-time' } },
        },
        TaskPage: { type: 'object', properties: { tasks: { type: 'array', items: { type: 'object' } }, next_cursor: { type: ['string', 'null'] } } },
        LogPage: { type: 'object', properties: { logs: { type: 'array', items: { type: 'object' } }, next_after_seq: { type: 'integer' }, task_status: { enum: TASK_STATUSES } } },
        TaskSession: {
          type: 'object',
          description: "An attempt's full AIOpsLab session (the result may hold a cut copy), with the paths of its kept metrics/trace files on the worker host",
          properties: {
            task_id: { type: 'string', format: 'uuid' },
            attempt: { type: 'integer' },
            source: { enum: ['results_dir', 'result_event'], description: "results_dir: AIOpsLab's session file; result_event: the runner's result event (no file was written)" },
            size_bytes: { type: 'integer' },
            truncated_in_result: { type: 'boolean', description: "true when the task's result holds a cut copy (or none) of this session" },
            artifact_dir: { type: ['string', 'null'] },
            artifacts: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, size_bytes: { type: 'integer' } } } },
            created_at: { type: 'string', format: 'date-time' },
            session: { type: 'object', additionalProperties: true },
          },
        },
        ...runs.schemas,
        WorkerRegistration: toOpenApiSchema(workerRegistrationSchema),
        WorkerHeartbeat: toOpenApiSchema(workerHeartbeatSchema),
        Worker: {
          type: 'object',
          additionalProperties: true,
          properties: {
            status: { enum: WORKER_STATUSES, description: 'unhealthy: the worker\'s environment is broken and it takes no tasks until a re-check passes' },
            health_reason: { type: ['string', 'null'], description: 'why the worker is unhealthy; null otherwise' },
          },
        },
        Queues: {
          type: 'object',
          description: "Ready/Unacked per queue of this deployment's QUEUE_PREFIX (RabbitMQ management API) and the outbox backlog; management.status is unreachable, with the reason in detail, when the management API does not answer",
          properties: {
            queue_prefix: { type: 'string' },
            vhost: { type: 'string' },
            management: { type: 'object', properties: { status: { enum: ['up', 'unreachable'] }, ui_url: { type: 'string' }, detail: { type: 'string' } } },
            queues: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, type: { type: ['string', 'null'] }, state: { type: ['string', 'null'] }, consumers: { type: 'integer' }, ready: { type: 'integer' }, unacked: { type: 'integer' } } } },
            outbox: { type: 'object', properties: { unpublished: { type: 'integer' }, due: { type: 'integer' }, oldest_due_at: { type: ['string', 'null'], format: 'date-time' } } },
            dispatch: {
              type: 'object',
              description: 'the dispatch window: tasks waiting in the database for their turn, and tasks dispatched but not yet claimed (the dispatch queue holds these, plus stale messages of tasks cancelled meanwhile)',
              properties: { waiting: { type: 'integer' }, dispatched: { type: 'integer' } },
            },
          },
        },
        Health: { type: 'object', properties: { status: { enum: ['ok', 'degraded'], description: 'degraded: the database or the broker is down (database_status, queue_status say which); 503 only without the database' }, service: { const: 'api' }, database_status: { enum: ['up', 'down'] }, queue_status: { enum: ['up', 'down'] }, outbox_backlog: { type: ['integer', 'null'] } } },
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
    security: [{}, { bearer: [] }],
    paths: {
      '/tasks': {
        post: {
          summary: 'Submit a task',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskSubmission' } } } },
          responses: { 201: json('Submitted', 'Created'), 200: json('Submitted', 'Idempotent replay: the first task with this key'), 409: problem, 413: problem, 415: problem, ...errors },
        },
        get: { summary: 'List tasks, newest first (keyset pagination)', parameters: queryParameters(listTasksQuerySchema), responses: { 200: json('TaskPage'), ...errors } },
      },
      '/tasks/batch': {
        post: {
          summary: 'Submit up to 1000 tasks, all or nothing',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskBatch' } } } },
          responses: { 201: { description: 'Created', content: { 'application/json': { schema: { type: 'object', properties: { tasks: { type: 'array', items: { $ref: '#/components/schemas/Submitted' } } } } } } }, 409: problem, 413: problem, 415: problem, ...errors },
        },
      },
      '/tasks/{id}': {
        get: { summary: 'A task with its result or error and status history', parameters: [idParam], responses: { 200: json('Task'), ...errors } },
        delete: { summary: 'Cancel a task', parameters: [idParam], responses: { 200: { description: 'Cancelled at once (it was waiting)' }, 202: { description: 'Cancel requested; the worker stops the run' }, 409: problem, ...errors } },
      },
      '/tasks/{id}/logs': {
        get: {
          summary: 'Log lines by sequence; follow=true streams server-sent events until the task ends',
          parameters: [idParam, ...queryParameters(logsQuerySchema)],
          responses: { 200: { description: 'A page of lines, or an event stream', content: { 'application/json': { schema: { $ref: '#/components/schemas/LogPage' } }, 'text/event-stream': {} } }, ...errors },
        },
      },
      '/tasks/{id}/session': {
        get: { summary: "An attempt's full AIOpsLab session (default: the latest attempt with one kept); 404 says why there is none", parameters: [idParam, ...queryParameters(sessionQuerySchema)], responses: { 200: json('TaskSession'), ...errors } },
      },
      '/workers': { get: { summary: 'List workers', parameters: queryParameters(listWorkersQuerySchema), responses: { 200: json('Worker'), ...errors } } },
      '/workers/{id}': { get: { summary: 'A worker and its recent tasks', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json('Worker'), ...errors } } },
      '/workers/register': { post: { summary: 'Register a worker', requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/WorkerRegistration' } } } }, responses: { 201: json('Worker', 'Registered'), ...errors } } },
      '/workers/heartbeat': { post: { summary: 'Worker heartbeat', requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/WorkerHeartbeat' } } } }, responses: { 200: json('Worker'), ...errors } } },
      '/queues': { get: { summary: "Broker queues of this deployment and the outbox backlog (the dashboard's Queues view)", responses: { 200: json('Queues'), ...errors } } },
      '/problems': { get: { summary: 'Known AIOpsLab problem ids with their task type', responses: { 200: { description: 'OK' } } } },
      '/health': { get: { summary: 'Database and queue status', security: [], responses: { 200: json('Health'), 503: json('Health', 'Database down') } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'text/plain exposition format' } } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OK' } } } },
      '/docs': { get: { summary: 'Interactive reference', security: [], responses: { 200: { description: 'HTML' } } } },
      ...runs.paths,
    },
  };
}
