import { runsEvaluationSchemas } from './runs-evaluation-schemas';
import { problemHealthOpenApi } from './problem-health-openapi';
import { compareQuerySchema, exportTasksQuerySchema, runExportQuerySchema, listRunsQuerySchema, resultsQuerySchema, runCreationSchema, runPatchSchema } from '../runs/run-schemas';

/** The runs (experiments) part of the OpenAPI document: schemas and paths. */
export function runsOpenApi(maxTimeoutMinutes: number, helpers: { toOpenApiSchema: (s: unknown) => unknown; queryParameters: (s: { properties: Record<string, unknown> }) => unknown[]; errors: object; problem: object }) {
  const { toOpenApiSchema, queryParameters, errors, problem } = helpers;
  const json = (ref: string, description = 'OK') => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
  const runId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'run_id' };
  const ndjson = { description: 'One JSON object per finished task and line (application/x-ndjson), streamed', content: { 'application/x-ndjson': { schema: { $ref: '#/components/schemas/ExportLine' } } } };
  const health = problemHealthOpenApi({ errors });
  const calibration = { type: 'boolean', description: 'a calibration run: reference agents, metadata.calibration true (POST /runs with calibration: true)' };
  const counts = { type: 'object', additionalProperties: { type: 'integer' }, description: 'tasks per status (every status, 0 when none)' };
  return {
    schemas: {
      RunCreation: toOpenApiSchema(runCreationSchema(maxTimeoutMinutes)),
      RunPatch: toOpenApiSchema(runPatchSchema),
      RunCreated: { type: 'object', properties: { run_id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, task_count: { type: 'integer' }, problem_count: { type: 'integer' }, agent_count: { type: 'integer' }, repeats: { type: 'integer' }, created_at: { type: 'string', format: 'date-time' }, replayed: { type: 'boolean' }, max_infra_retries: { type: 'integer' }, budget_usd: { type: ['number', 'null'] }, calibration, tasks_created: { type: 'integer', description: 'the whole grid, or the first wave of a budgeted run' } } },
      RunSummary: {
        type: 'object',
        additionalProperties: true,
        properties: {
          run_id: { type: 'string', format: 'uuid' },
          name: { type: 'string' },
          status: { enum: ['running', 'finished', 'cancelled', 'budget_exhausted'], description: 'running also while an infra retry is due; budget_exhausted: nothing in flight and the next task does not fit in budget_usd (PATCH /runs/{id} raises it)' },
          max_infra_retries: { type: 'integer', description: 'automatic retries per grid cell of infrastructure errors' },
          budget_usd: { type: ['number', 'null'], description: 'spending limit in USD; null = none' },
          calibration,
          infra_retries_due: { type: 'integer', description: 'latest tasks that ended in a retryable infra error with the cell\'s retries left' },
          cells_not_created: { type: 'integer', description: 'grid cells a budgeted run has not created yet' },
          task_count: { type: 'integer', description: 'tasks of the run, retries included' },
          grid_size: { type: 'integer' },
          counts,
          created_at: { type: 'string', format: 'date-time' },
          finished_at: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      Run: { allOf: [{ $ref: '#/components/schemas/RunSummary' }], description: 'plus problems, task_fields, agents (per-agent counts, tokens, estimated_cost), tokens and estimated_cost_usd' },
      RunPage: { type: 'object', properties: { runs: { type: 'array', items: { $ref: '#/components/schemas/RunSummary' } }, next_cursor: { type: ['string', 'null'] } } },
      ...runsEvaluationSchemas,
      ...health.schemas,
      ExportLine: { type: 'object', additionalProperties: true, description: 'task_id, run_id, agent_label, repeat_index, retry_of, problem_id, task_type, status, attempt, results, usage, metrics, durations, error, trajectory (steps: n, action, observation, duration_s, usage, ts), agent_config without secret-looking keys' },
    },
    paths: {
      ...health.paths,
      '/runs': {
        post: {
          summary: 'Create a run: one task per problem × agent × repeat, in one transaction; calibration: true runs the reference agents (agents optional)',
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } },
            { name: 'dry_run', in: 'query', required: false, schema: { type: 'boolean' }, description: 'true: answer 200 with the grid size and estimated tokens, cost (USD) and task-seconds from past finished tasks of the same problem × agent config; nothing is created' },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RunCreation' } } } },
          responses: { 201: json('RunCreated', 'Created'), 200: json('RunCreated', 'Idempotent replay: the run first created with this key'), 409: problem, 413: problem, 415: problem, ...errors },
        },
        get: { summary: 'List runs, newest first (keyset pagination)', parameters: queryParameters(listRunsQuerySchema), responses: { 200: json('RunPage'), ...errors } },
      },
      '/runs/compare': {
        get: {
          summary: 'Two runs paired problem by problem (per agent label: paired-bootstrap difference and exact McNemar p), or two agents of one run (a, agent_a, agent_b; b omitted)',
          description: 'Always 200 when both runs exist; `warnings` says when a run is unfinished or cancelled, or when the grids differ (which problems, agents, repeats are missing).',
          parameters: queryParameters(compareQuerySchema).map((p) => ({ ...(p as { name: string }), required: (p as { name: string }).name === 'a' })),
          responses: { 200: json('RunComparison'), ...errors },
        },
      },
      '/runs/{id}': {
        get: { summary: 'A run: status (running, finished, cancelled, budget_exhausted) and counts from its tasks, per-agent progress, tokens and estimated cost, max_infra_retries, budget_usd, infra_retries_due, cells_not_created; reading it first creates any infra retry or budget wave that is due', parameters: [runId], responses: { 200: json('Run'), ...errors } },
        patch: {
          summary: 'Raise a budgeted run\'s budget_usd; the wave the new budget pays for is created at once (a budget_exhausted run goes on)',
          parameters: [runId],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RunPatch' } } } },
          responses: { 200: { description: '{ run_id, budget_usd, previous_budget_usd, tasks_created, committed_usd }' }, 400: { ...problem, description: 'budget_usd missing, not a number, below the current budget, or the run has no budget (field: budget_usd)' }, ...errors },
        },
        delete: { summary: 'Cancel every unfinished task of the run', parameters: [runId], responses: { 200: { description: 'Every unfinished task was waiting and is cancelled' }, 202: { description: 'Running tasks were asked to stop' }, 409: problem, ...errors } },
      },
      '/runs/{id}/results': {
        get: {
          summary: 'The evaluation table: per agent × task type and per agent overall (by=task_type), or per problem × agent (by=problem); every rate with its interval',
          parameters: [runId, ...queryParameters(resultsQuerySchema), health.excludeFlaggedParameter],
          responses: {
            200: {
              description: 'by=task_type (default): the table (RunResults); by=problem: the problem × agent matrix (ProblemMatrix); format=csv: either as CSV (by=problem: one line per problem × agent)',
              content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/RunResults' }, { $ref: '#/components/schemas/ProblemMatrix' }] } }, 'text/csv': {} },
            },
            ...errors,
          },
        },
      },
      '/runs/{id}/export': { get: { summary: "The run's finished tasks as NDJSON (trajectory dataset); ?format=atif: one ATIF trajectory per task", parameters: [runId, ...queryParameters(runExportQuerySchema)], responses: { 200: ndjson, ...errors } } },
      '/runs/{id}/retry': { post: { summary: 'Re-run each grid cell whose latest task failed, timed out or was cancelled', parameters: [runId], responses: { 202: { description: '{ run_id, retried, task_ids }' }, ...errors } } },
      '/tasks/{id}/retry': { post: { summary: 'Re-run one failed, timed-out or cancelled task as a new task (retry_of links them)', parameters: [{ ...runId, description: 'task_id' }], responses: { 202: { description: '{ task_id, retry_of, status }' }, 409: problem, ...errors } } },
      '/tasks/export': { get: { summary: 'Tasks matching the filters as NDJSON (finished tasks unless status is given)', parameters: queryParameters(exportTasksQuerySchema), responses: { 200: ndjson, ...errors } } },
    },
  };
}
