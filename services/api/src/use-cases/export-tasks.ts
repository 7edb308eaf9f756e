import { listProblems } from '@aiopslab/shared/catalog/problem-catalog';
import type { SqlClient, SqlDb } from '@aiopslab/shared/db/sql';
import { TERMINAL_STATUSES } from '@aiopslab/shared/domain/task-status';
import { findRun } from '../data/run-queries';
import { redactSecrets } from '../runs/redact-secrets';
import type { ExportTasksQuery } from '../runs/run-schemas';

/** Rows per keyset batch: memory stays at about one batch of rows whatever the export's size. */
export const EXPORT_BATCH_SIZE = 200;

interface ExportRow {
  id: string;
  created_at: Date;
  problem_id: string;
  run_id: string | null;
  agent_config: unknown;
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
function whereOf(filter: ExportTasksQuery): { sql: string[]; values: unknown[] } {
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

/** Task types: a run's own (frozen when it was created), else the catalog's. */
async function taskTypeResolver(db: SqlDb) {
  const catalog = new Map((await listProblems(db)).problems.map((p) => [p.id, p.task_type]));
  const runs = new Map<string, Map<string, string>>();
  return async (row: ExportRow): Promise<string | null> => {
    if (row.run_id) {
      let types = runs.get(row.run_id);
      if (!types) {
        types = new Map((await findRun(db, row.run_id)).problems.map((p) => [p.problem_id, p.task_type]));
        runs.set(row.run_id, types);
      }
      if (types.has(row.problem_id)) return types.get(row.problem_id)!;
    }
    return catalog.get(row.problem_id) ?? null;
  };
}

/**
 * One NDJSON line per matching task, oldest first, read in keyset batches of (created_at, id)
 * through node-postgres: no connection is held between batches and memory holds one batch.
 * Without a status filter only finished tasks match. Agent configs lose secret-looking keys.
 */
export async function* exportTaskLines(db: SqlDb, filter: ExportTasksQuery, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<string> {
  const taskType = await taskTypeResolver(db);
  const where = whereOf(filter);
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const rows = await readBatch(db, where, after, batchSize);
    let chunk = '';
    for (const row of rows) {
      chunk += `${row.line.slice(0, -1)},"task_type":${JSON.stringify(await taskType(row))},"agent_config":${JSON.stringify(redactSecrets(row.agent_config))}}\n`;
    }
    if (chunk) yield chunk;
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    after = { createdAt: last.created_at, id: last.id };
  }
}

function readBatch(db: SqlClient, where: { sql: string[]; values: unknown[] }, after: { createdAt: Date; id: string } | null, batchSize: number): Promise<ExportRow[]> {
  const values = [...where.values, batchSize];
  const clauses = [...where.sql];
  if (after) {
    values.push(after.createdAt, after.id);
    clauses.push(`(created_at, id) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  return db.$queryRawUnsafe<ExportRow[]>(
    // ORDER BY names t.id: a bare `id` would be the text output column, and the sort could not use the index.
    `SELECT t.id::text AS id, t.created_at, problem_id, run_id::text, agent_config, ${LINE} AS line
     FROM tasks t WHERE ${clauses.join(' AND ')} ORDER BY t.created_at, t.id LIMIT $${where.values.length + 1}`,
    ...values,
  );
}
