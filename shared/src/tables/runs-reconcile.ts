import type { SqlClient } from '../db/sql';
import { infraErrorSql, retryableInfraErrorSql } from './infra-error-sql';
import { TASK_COLUMNS, Task } from './tasks';
import type { RunRow } from './runs';

/**
 * What the run reconciler reads: latest tasks that ended in a retryable infrastructure error
 * with the cell's infra budget left, the cells a budgeted run has not created yet, and the
 * money its tasks used and hold. A cell's infra budget: the run's max_infra_retries counts the
 * infra errors of the cell's whole chain, so with 2 a cell gets at most 3 attempts at the
 * infrastructure (manual retries of an infra error count too).
 */
const dueInfraRetry = (t: string) => `${t}.status IN ('failed', 'timed_out')
  AND NOT EXISTS (SELECT 1 FROM tasks x WHERE x.retry_of = ${t}.id)
  AND ${retryableInfraErrorSql(t)}
  AND (SELECT count(*) FROM tasks c WHERE c.run_id = ${t}.run_id AND c.agent_label = ${t}.agent_label AND c.problem_id = ${t}.problem_id
         AND c.repeat_index = ${t}.repeat_index AND c.status IN ('failed', 'timed_out') AND ${infraErrorSql('c')}) <= r.max_infra_retries`;

/** The run's latest tasks that are due an automatic infra retry, in grid order (repeat-major). */
export function infraRetryCandidates(db: SqlClient, runId: string): Promise<Task[]> {
  return db.$queryRawUnsafe<Task[]>(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE id IN (
       SELECT t.id FROM tasks t JOIN runs r ON r.id = t.run_id
       WHERE t.run_id = $1::uuid AND r.cancelled_at IS NULL AND ${dueInfraRetry('t')})
     ORDER BY repeat_index, problem_id, agent_label`,
    runId,
  );
}

export interface RunPendingWork {
  run_id: string;
  /** Grid cells that have a task (tasks minus retries). */
  cells_created: number;
  /** Latest tasks due an automatic infra retry (not cancelled runs). */
  infra_retries_due: number;
}

/** Per run: cells created and infra retries due (what run status needs beyond the task counts). */
export async function runPendingWork(db: SqlClient, runIds: string[]): Promise<RunPendingWork[]> {
  if (runIds.length === 0) return [];
  return db.$queryRawUnsafe<RunPendingWork[]>(
    `SELECT r.id::text AS run_id,
            (SELECT count(*) - count(retry_of) FROM tasks a WHERE a.run_id = r.id)::int AS cells_created,
            (SELECT count(*) FROM tasks t WHERE t.run_id = r.id AND r.cancelled_at IS NULL AND ${dueInfraRetry('t')})::int AS infra_retries_due
     FROM runs r WHERE r.id = ANY($1::uuid[])`,
    runIds,
  );
}

/**
 * Runs the periodic reconciler visits: those with a task that ended in an infra error within
 * `windowSeconds` and no replacement yet, and budgeted runs (not cancelled) with cells not yet
 * created. Newest first, at most `limit`.
 */
export async function runsWithPendingWork(db: SqlClient, windowSeconds: number, limit: number): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `SELECT id::text FROM (
       SELECT DISTINCT t.run_id AS id FROM tasks t JOIN runs r ON r.id = t.run_id
       WHERE t.run_id IS NOT NULL AND t.status IN ('failed', 'timed_out') AND t.completed_at > now() - make_interval(secs => $1)
         AND r.cancelled_at IS NULL AND ${dueInfraRetry('t')}
       UNION
       SELECT r.id FROM runs r WHERE r.budget_usd IS NOT NULL AND r.cancelled_at IS NULL
         AND r.grid_size > (SELECT count(*) - count(retry_of) FROM tasks a WHERE a.run_id = r.id)
     ) due LIMIT $2`,
    windowSeconds,
    limit,
  );
  return rows.map((r) => r.id);
}

/**
 * Locks the run's row for this transaction, skipping it when another reconciler (or a retry,
 * cancel or PATCH) holds it: that one is doing the work. Null when skipped or missing.
 */
export async function lockRunForReconcile(db: SqlClient, runId: string): Promise<RunRow | null> {
  const rows = await db.$queryRawUnsafe<RunRow[]>(
    `SELECT id::text, name, problems, agents, repeats, task_fields, grid_size, cancelled_at, created_at, max_infra_retries, budget_usd
     FROM runs WHERE id = $1::uuid FOR UPDATE SKIP LOCKED`,
    runId,
  );
  return rows[0] ?? null;
}

/** A run's tasks by cell and status class, with the tokens of ended ones: what the budget reads. */
export interface RunTaskCell {
  agent_label: string;
  problem_id: string;
  repeat_index: number;
  in_flight: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  in_tokens: number;
  out_tokens: number;
}

/** Every task of the run: its cell, whether it is in flight, and its token counts (0 when none). */
export function runTaskCells(db: SqlClient, runId: string): Promise<RunTaskCell[]> {
  const n = (key: string) => `coalesce((result_summary->>'${key}')::float8, 0) AS ${key}`;
  return db.$queryRawUnsafe<RunTaskCell[]>(
    `SELECT agent_label, problem_id, repeat_index, status IN ('pending', 'processing', 'retrying') AS in_flight,
            ${['prompt_tokens', 'completion_tokens', 'in_tokens', 'out_tokens'].map(n).join(', ')}
     FROM tasks WHERE run_id = $1::uuid`,
    runId,
  );
}
