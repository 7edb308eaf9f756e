import type { RunAgent, RunTaskFields } from '@aiopslab/shared/tables/runs';
import { TASK_STATUSES } from '@aiopslab/shared/domain/task-status';
import { agentConfigSchema, taskSubmissionSchema } from '@aiopslab/shared/schemas/task-submission';

/** The most tasks one run may expand to (problems × agents × repeats). */
export const MAX_RUN_TASKS = 50_000;
/**
 * How long a transaction that writes a whole run may take (its creation, its cancel): 50,000
 * tasks took ~12 s on a slow 2-core machine, and Prisma's default of 5 s failed a 30,000-task run.
 */
export const BULK_TRANSACTION_TIMEOUT_MS = 120_000;
export const TASK_TYPES = ['detection', 'localization', 'analysis', 'mitigation'] as const;

const isoTime = { type: 'string', format: 'date-time' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;

/** POST /runs. Exactly one of problem_ids and problem_filter (checked in create-run, which names the field). */
export function runCreationSchema(maxTimeoutMinutes: number) {
  const task = taskSubmissionSchema(maxTimeoutMinutes).properties;
  return {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      problem_ids: { type: 'array', minItems: 1, maxItems: MAX_RUN_TASKS, uniqueItems: true, items: task.problem_id },
      problem_filter: {
        type: 'object',
        description: 'every catalog problem of this task type and/or whose id contains `app` (case-insensitive), as AIOpsLab filters its registry',
        properties: { task_type: { type: 'string', enum: TASK_TYPES }, app: { type: 'string', minLength: 1, maxLength: 100 } },
        additionalProperties: false,
      },
      agents: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: {
          type: 'object',
          properties: {
            label: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$', description: 'names the agent in the results; unique within the run' },
            agent_config: agentConfigSchema,
          },
          required: ['label', 'agent_config'],
          additionalProperties: false,
        },
      },
      repeats: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
      max_steps: task.max_steps,
      timeout_minutes: task.timeout_minutes,
      priority: task.priority,
      max_retries: task.max_retries,
      metadata: task.metadata,
      callback_url: task.callback_url,
      max_infra_retries: { type: 'integer', minimum: 0, maximum: 10, default: 2, description: 'automatic retries per grid cell of tasks that ended in an infrastructure error (outcome_class infra_error); 0 turns them off' },
      budget_usd: { type: 'number', minimum: 0, maximum: 1000000, description: 'spending limit in USD (price table × tokens): tasks are created in waves the budget can pay for; the run is budget_exhausted when it is reached; PATCH /runs/{id} raises it' },
      calibration: { type: 'boolean', default: false, description: 'a calibration run: measures the problems with the reference agents. `agents` becomes optional and defaults to do_nothing (plus constant_yes when every problem is a detection problem); the run and its tasks get metadata.calibration true; GET /problems/health reads the outcomes' },
      confirm: { type: 'boolean', default: false, description: 'required (true) when the run has more tasks than RUN_CONFIRM_LIMIT (default 5000); POST /runs?dry_run=true shows the size and cost first' },
    },
    required: ['name'],
    additionalProperties: false,
  } as const;
}

export const listRunsQuerySchema = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, cursor: { type: 'string', minLength: 1, maxLength: 512 } },
  additionalProperties: false,
} as const;

export const resultsQuerySchema = {
  type: 'object',
  properties: {
    format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
    by: { type: 'string', enum: ['task_type', 'problem'], default: 'task_type', description: 'task_type: the table per agent × task type and per agent overall; problem: the problem × agent matrix' },
  },
  additionalProperties: false,
} as const;

const agentLabel = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** GET /runs/compare: b, or agent_a and agent_b (then b defaults to a: two agents of one run); comparison-selection.ts names what is missing. */
export const compareQuerySchema = {
  type: 'object',
  properties: {
    a: { ...uuid, description: 'run_id of the first run' },
    b: { ...uuid, description: 'run_id of the second run; omit it (with agent_a and agent_b) to compare two agents of run a' },
    agent_a: { ...agentLabel, description: 'an agent label of run a; with agent_b, compares just these two agents' },
    agent_b: { ...agentLabel, description: 'an agent label of run b (of run a when b is omitted)' },
  },
  required: ['a'],
  additionalProperties: false,
} as const;

/** GET /tasks/export: the list filters; without `status`, every finished task matches. */
const exportFormat = { type: 'string', enum: ['ndjson', 'atif'], default: 'ndjson', description: 'ndjson: one export line per task; atif: one ATIF trajectory (Harbor) per task, as JSON Lines' } as const;

export const exportTasksQuerySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: TASK_STATUSES },
    problem_id: { type: 'string', minLength: 1, maxLength: 200 },
    run_id: uuid,
    agent_label: { type: 'string', minLength: 1, maxLength: 64 },
    worker_id: { type: 'string', minLength: 1, maxLength: 128 },
    created_after: isoTime,
    created_before: isoTime,
    format: exportFormat,
  },
  additionalProperties: false,
} as const;

/** GET /runs/{id}/export: only the format. */
export const runExportQuerySchema = { type: 'object', properties: { format: exportFormat }, additionalProperties: false } as const;

/** POST /runs: the grid, and the task fields every task of the run shares. */
export interface RunCreation extends RunTaskFields {
  name: string;
  problem_ids?: string[];
  problem_filter?: { task_type?: (typeof TASK_TYPES)[number]; app?: string };
  agents: RunAgent[];
  repeats: number;
  confirm?: boolean;
  max_infra_retries: number;
  budget_usd?: number;
}

/** The POST /runs body as validated: agents may be left out of a calibration run (calibration.ts fills them in). */
export type RunRequest = Omit<RunCreation, 'agents'> & { agents?: RunAgent[]; calibration?: boolean };

/** PATCH /runs/{id}. */
export const runPatchSchema = {
  type: 'object',
  properties: {
    budget_usd: { type: 'number', minimum: 0, maximum: 1000000, description: 'the new spending limit in USD; must be at least the current one' },
  },
  required: ['budget_usd'],
  additionalProperties: false,
} as const;

export interface RunPatch {
  budget_usd: number;
}

export interface ExportTasksQuery {
  format?: 'ndjson' | 'atif';
  status?: string;
  problem_id?: string;
  run_id?: string;
  agent_label?: string;
  worker_id?: string;
  created_after?: string;
  created_before?: string;
}
