import type { SqlClient } from '../db/sql';
import { TERMINAL_STATUSES } from '../domain/task-status';

/** GET /tasks: equality filters, a set of problems (a task type), a creation range, a keyset cursor. */
export interface TaskListFilter {
  status?: string;
  problem_id?: string;
  worker_id?: string;
  run_id?: string;
  agent_label?: string;
  /** Only these problems (a task type resolved through the catalog). */
  problem_ids?: string[];
  created_after?: Date;
  created_before?: Date;
  /** After this (created_at, id): the last row of the previous page. */
  before?: { createdAt: Date; id: string };
  limit: number;
}

export interface TaskSummaryRow {
  id: string;
  problem_id: string;
  status: string;
  priority: number;
  attempt: number;
  max_retries: number;
  worker_id: string | null;
  run_id: string | null;
  agent_label: string | null;
  repeat_index: number | null;
  retry_of: string | null;
  error: unknown;
  metadata: unknown;
  /** What the outcome class reads of the result: AIOpsLab's verdict keys and whether setup was done. */
  outcome_facts: OutcomeFacts;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

/** The verdict keys of AIOpsLab's results and whether the runner got past setup (outcome-class.ts). */
export interface OutcomeFacts {
  results: Record<string, unknown> | null;
  setup_reached: boolean;
}

/**
 * The facts the outcome class needs, as one small JSON object: never the whole result (the
 * verdicts come from result_summary; `setup` is small next to the trajectory).
 */
export const OUTCOME_FACTS = `json_build_object(
  'results', CASE WHEN result IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object('Detection Accuracy', result_summary->'detection', 'success', result_summary->'success')) END,
  'setup_reached', coalesce(jsonb_typeof(result->'setup') = 'object', false) OR coalesce((result_summary->>'trajectory_steps')::int > 0, false)
                   OR coalesce(jsonb_typeof(result->'durations'->'loop_s') = 'number', false))`;

/** Appends `value` to the statement's parameters and returns its placeholder ($n). */
function parameter(values: unknown[], value: unknown): string {
  values.push(value);
  return `$${values.length}`;
}

/**
 * Newest first, keyset-paginated on (created_at, id): a page never repeats or skips rows when
 * tasks are inserted between requests. Every filter combination is served by an index.
 */
export function listTaskSummaryRows(db: SqlClient, filter: TaskListFilter): Promise<TaskSummaryRow[]> {
  const values: unknown[] = [];
  const p = (value: unknown) => parameter(values, value);
  const conditions: string[] = [];
  const leading = leadingFilter(filter);
  for (const column of ['run_id', 'status', 'problem_id', 'worker_id'] as const) {
    const value = filter[column];
    if (!value) continue;
    const cast = column === 'run_id' ? '::uuid' : '';
    const placeholder = `${p(value)}${cast}`;
    // The leading filter as a one-value range: see leadingFilter.
    conditions.push(column === leading ? `${column} >= ${placeholder} AND ${column} <= ${placeholder}` : `${column} = ${placeholder}`);
  }
  // An agent label names a grid column of a run: with run_id the run's index leads and this
  // filters its rows; alone it filters the walk of the leading (or created_at) index, like problem_ids.
  if (filter.agent_label) conditions.push(`agent_label = ${p(filter.agent_label)}`);
  if (filter.problem_ids) conditions.push(`problem_id = ANY(${p(filter.problem_ids)}::text[])`);
  if (filter.created_after) conditions.push(`created_at > ${p(filter.created_after)}::timestamptz`);
  if (filter.created_before) conditions.push(`created_at < ${p(filter.created_before)}::timestamptz`);
  if (filter.before) conditions.push(`(created_at, id) < (${p(filter.before.createdAt)}::timestamptz, ${p(filter.before.id)}::uuid)`);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return db.$queryRawUnsafe<TaskSummaryRow[]>(
    `SELECT id::text, problem_id, status, priority, attempt, max_retries, worker_id, run_id::text, agent_label, repeat_index, retry_of::text, error, metadata, ${OUTCOME_FACTS} AS outcome_facts, created_at, updated_at, started_at, completed_at
     FROM tasks ${where} ORDER BY ${leading ? `${leading}, ` : ''}created_at DESC, id DESC LIMIT ${p(filter.limit)}::int`,
    ...values,
  );
}

/**
 * With an equality filter, the page must come from that filter's index (status, created_at, id):
 * walking the plain created_at index instead skips every newer row of another status — after a
 * burst of submissions, tens of thousands of fresh `pending` rows before the first `completed`
 * one. The planner folds `ORDER BY status` away when it sees `status = $1`, and then often picks
 * that walk; written as the range `status >= $1 AND status <= $1` (same rows) the sort key stays,
 * and only the filter's index delivers the order.
 */
function leadingFilter(query: TaskListFilter): 'run_id' | 'status' | 'problem_id' | 'worker_id' | null {
  if (query.run_id) return 'run_id'; // a run has at most 50,000 tasks: its index, then the other filters
  if (query.status) return 'status';
  if (query.problem_id) return 'problem_id';
  if (query.worker_id) return 'worker_id';
  return null;
}


/** GET /runs/{id}/export and GET /tasks/export: which finished tasks. */
export interface TaskExportFilter {
  run_id?: string;
  status?: string;
  problem_id?: string;
  agent_label?: string;
  worker_id?: string;
  created_after?: string;
  created_before?: string;
}

export interface ExportRow {
  id: string;
  created_at: Date;
  problem_id: string;
  run_id: string | null;
  agent_config: unknown;
  status: string;
  error: unknown;
  outcome_facts: OutcomeFacts;
  /** The line without task_type and agent_config, as JSON text built by PostgreSQL. */
  line: string;
}

/** ISO 8601 in UTC with a Z, as every other time the API returns. */
const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The line's fields in order. json_build_object keeps this order; the trajectory is the task's
 * stored steps (action, observation, per-step token usage), results AIOpsLab's own dict, setup
 * the problem's task description, instructions and APIs the agent was given.
 */
const LINE = `json_build_object(
  'task_id', id, 'run_id', run_id, 'agent_label', agent_label, 'repeat_index', repeat_index, 'retry_of', retry_of,
  'problem_id', problem_id, 'status', status, 'attempt', attempt, 'max_retries', max_retries, 'max_steps', max_steps, 'worker_id', worker_id,
  'results', result->'results', 'usage', result->'usage', 'metrics', result->'metrics', 'session_id', result->>'session_id',
  'setup', result->'setup',
  'durations', coalesce(result->'durations', '{}'::jsonb) || jsonb_build_object(
     'queued_s', extract(epoch FROM started_at - created_at)::float8, 'wall_s', extract(epoch FROM completed_at - started_at)::float8),
  'error', error, 'metadata', metadata, 'created_at', ${utc('created_at')}, 'started_at', ${utc('started_at')}, 'completed_at', ${utc('completed_at')},
  'trajectory_truncated', coalesce((result->'trajectory_truncated')::boolean, false), 'trajectory', coalesce(result->'trajectory', '[]'::jsonb))::text`;

/** WHERE of the filter, with its parameters numbered from $1. */
function whereOf(filter: TaskExportFilter): { sql: string[]; values: unknown[] } {
  const sql: string[] = [];
  const values: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    values.push(value);
    sql.push(clause(`$${values.length}`));
  };
  if (filter.run_id) add((p) => `run_id = ${p}::uuid`, filter.run_id);
  add((p) => `status = ANY(${p}::text[])`, filter.status ? [filter.status] : TERMINAL_STATUSES);
  if (filter.problem_id) add((p) => `problem_id = ${p}`, filter.problem_id);
  if (filter.agent_label) add((p) => `agent_label = ${p}`, filter.agent_label);
  if (filter.worker_id) add((p) => `worker_id = ${p}`, filter.worker_id);
  if (filter.created_after) add((p) => `created_at > ${p}::timestamptz`, new Date(filter.created_after));
  if (filter.created_before) add((p) => `created_at < ${p}::timestamptz`, new Date(filter.created_before));
  return { sql, values };
}

/**
 * One keyset batch of the export, oldest first, after `after`: each row carries its line as JSON
 * text built by PostgreSQL (without task_type and agent_config, which the caller adds).
 */
export function readExportBatch(db: SqlClient, filter: TaskExportFilter, after: { createdAt: Date; id: string } | null, batchSize: number): Promise<ExportRow[]> {
  const where = whereOf(filter);
  const values = [...where.values, batchSize];
  const clauses = [...where.sql];
  if (after) {
    values.push(after.createdAt, after.id);
    clauses.push(`(created_at, id) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  return db.$queryRawUnsafe<ExportRow[]>(
    // ORDER BY names t.id: a bare `id` would be the text output column, and the sort could not use the index.
    `SELECT t.id::text AS id, t.created_at, problem_id, run_id::text, agent_config, status, error, ${OUTCOME_FACTS} AS outcome_facts, ${LINE} AS line
     FROM tasks t WHERE ${clauses.join(' AND ')} ORDER BY t.created_at, t.id LIMIT $${where.values.length + 1}`,
    ...values,
  );
}
