import type { SqlClient } from '../db/sql';
import type { RunProblem } from './runs';
import { infraErrorSql } from './infra-error-sql';

/** One (agent, task type) group of a run's latest tasks; task_type null = the agent overall. */
/** The means and token totals every results row carries, as the SQL computes them. */
export interface TaskMetricMeans {
  mean_ttd: number | null;
  mean_ttl: number | null;
  mean_tta: number | null;
  mean_ttm: number | null;
  mean_steps: number | null;
  mean_in_tokens: number | null;
  mean_out_tokens: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  in_tokens: number;
  out_tokens: number;
  mean_duration_s: number | null;
}

export interface GroupAggregate extends TaskMetricMeans {
  agent_label: string;
  task_type: string | null;
  n: number;
  scored: number;
  solved: number;
  completed: number;
  failed: number;
  timed_out: number;
  cancelled: number;
  unfinished: number;
  /** Latest tasks whose outcome_class is infra_error: not scored (kept out of the denominators). */
  infra_errors: number;
  detection_scored: number;
  detection_correct: number;
  localization_scored: number;
  localization_mean: number | null;
}

/** Scored tasks of one (agent, task type, problem) or (agent, task type, repeat). */
export interface CellTally {
  agent_label: string;
  task_type: string;
  key: string;
  n: number;
  solved: number;
}

export interface RunAggregates {
  groups: GroupAggregate[];
  problems: CellTally[];
  repeats: CellTally[];
}

/** A number of result_summary (its generated function keeps only numbers under these keys, so the cast cannot fail). */
export const summaryNumber = (key: string, row = 't') => `(${row}.result_summary->>'${key}')::float8`;
const f = (key: string) => summaryNumber(key);

const avg = (column: string, as = `mean_${column}`) => `avg(${column}) FILTER (WHERE status = 'completed')::float8 AS ${as}`;
const sum = (column: string) => `coalesce(sum(${column}), 0)::float8 AS ${column}`;

/**
 * A run's latest task per grid cell (the task no retry replaces), with `scored`, `solved` and
 * the fields of the small generated result_summary column (never the result itself);
 * $1 = run id, $2 = the run's problems (JSON). "Solved": detection when "Detection Accuracy" is
 * "Correct", other task types when results.success is true; only completed tasks can be solved;
 * failed and timed-out ones are scored as unsolved, except infrastructure errors (outcome_class
 * infra_error, infra-error-sql.ts), which are nobody's score: counted apart as infra_errors.
 * Only their error and a few result keys are read (result itself is detoasted for failed and
 * timed-out rows only).
 */
export const LATEST_TASKS_CTE = `
  WITH grid AS (SELECT problem_id, task_type FROM jsonb_to_recordset($2::jsonb) AS g(problem_id text, task_type text)),
  latest AS MATERIALIZED (
    SELECT t.agent_label, coalesce(g.task_type, 'unknown') AS task_type, t.problem_id, t.repeat_index, t.status,
           (t.status IN ('completed', 'failed', 'timed_out') AND NOT ${infraErrorSql('t')}) AS scored,
           (t.status IN ('failed', 'timed_out') AND ${infraErrorSql('t')}) AS infra_error,
           (t.status = 'completed' AND CASE WHEN g.task_type = 'detection' THEN t.result_summary->>'detection' = 'Correct'
                                            ELSE coalesce(t.result_summary->'success' = 'true'::jsonb, false) END) AS solved,
           (t.status = 'completed' AND t.result_summary->>'detection' = 'Correct') AS detection_correct,
           ${f('localization')} AS localization, ${f('ttd')} AS ttd, ${f('ttl')} AS ttl, ${f('tta')} AS tta, ${f('ttm')} AS ttm,
           coalesce(${f('steps')}, ${f('trajectory_steps')}) AS steps, ${f('in_tokens')} AS in_tokens, ${f('out_tokens')} AS out_tokens,
           ${f('prompt_tokens')} AS prompt_tokens, ${f('completion_tokens')} AS completion_tokens,
           coalesce(${f('run_s')}, extract(epoch FROM t.completed_at - t.started_at)::float8) AS duration_s
    FROM tasks t LEFT JOIN grid g ON g.problem_id = t.problem_id
    WHERE t.run_id = $1::uuid AND NOT EXISTS (SELECT 1 FROM tasks r WHERE r.retry_of = t.id)
  )`;

/** The evaluation table's aggregates in ONE statement over LATEST_TASKS_CTE. */
const RESULTS_SQL = `${LATEST_TASKS_CTE}
  SELECT
    (SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT agent_label, CASE WHEN grouping(task_type) = 1 THEN NULL ELSE task_type END AS task_type,
             count(*)::int AS n, count(*) FILTER (WHERE scored)::int AS scored, count(*) FILTER (WHERE solved)::int AS solved,
             count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE status = 'failed')::int AS failed,
             count(*) FILTER (WHERE status = 'timed_out')::int AS timed_out, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
             count(*) FILTER (WHERE status IN ('pending', 'processing', 'retrying'))::int AS unfinished,
             count(*) FILTER (WHERE infra_error)::int AS infra_errors,
             count(*) FILTER (WHERE scored AND task_type = 'detection')::int AS detection_scored,
             count(*) FILTER (WHERE detection_correct AND task_type = 'detection')::int AS detection_correct,
             count(*) FILTER (WHERE scored AND task_type = 'localization')::int AS localization_scored,
             avg(CASE WHEN status = 'completed' THEN coalesce(localization, 0) ELSE 0 END) FILTER (WHERE scored AND task_type = 'localization')::float8 AS localization_mean,
             ${['ttd', 'ttl', 'tta', 'ttm', 'steps', 'in_tokens', 'out_tokens'].map((c) => avg(c)).join(', ')},
             ${['prompt_tokens', 'completion_tokens', 'in_tokens', 'out_tokens'].map(sum).join(', ')},
             avg(duration_s) FILTER (WHERE scored)::float8 AS mean_duration_s
      FROM latest GROUP BY GROUPING SETS ((agent_label, task_type), (agent_label))) x) AS groups,
    (SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT agent_label, task_type, problem_id AS key, count(*)::int AS n, count(*) FILTER (WHERE solved)::int AS solved
      FROM latest WHERE scored GROUP BY agent_label, task_type, problem_id) x) AS problems,
    (SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT agent_label, task_type, repeat_index::text AS key, count(*)::int AS n, count(*) FILTER (WHERE solved)::int AS solved
      FROM latest WHERE scored GROUP BY agent_label, task_type, repeat_index) x) AS repeats`;

/** Scored and solved latest tasks per (problem, agent label): what GET /runs/compare pairs. */
export async function problemTallies(db: SqlClient, runId: string, problems: RunProblem[]): Promise<{ problem_id: string; agent_label: string; n: number; solved: number }[]> {
  return db.$queryRawUnsafe(
    `${LATEST_TASKS_CTE}
     SELECT problem_id, agent_label, count(*)::int AS n, count(*) FILTER (WHERE solved)::int AS solved FROM latest WHERE scored GROUP BY problem_id, agent_label`,
    runId,
    JSON.stringify(problems),
  );
}

export async function runAggregates(db: SqlClient, runId: string, problems: RunProblem[]): Promise<RunAggregates> {
  const [row] = await db.$queryRawUnsafe<RunAggregates[]>(RESULTS_SQL, runId, JSON.stringify(problems));
  return row;
}

/** One problem × agent cell of a run over its repeats (each repeat by its latest task), as GET /runs/{id}/results?by=problem reads it. */
export interface ProblemAgentCell {
  problem_id: string;
  task_type: string;
  agent_label: string;
  n: number;
  scored: number;
  solved: number;
  failed: number;
  timed_out: number;
  cancelled: number;
  unfinished: number;
  /** Latest tasks that ended in an infrastructure error: not scored. */
  infra_errors: number;
  mean_ttd: number | null;
  mean_ttl: number | null;
  mean_tta: number | null;
  mean_ttm: number | null;
  mean_steps: number | null;
}

/** The problem × agent cells of a run in one statement over LATEST_TASKS_CTE (means over completed tasks, as in the results table). */
export async function problemAgentCells(db: SqlClient, runId: string, problems: RunProblem[]): Promise<ProblemAgentCell[]> {
  return db.$queryRawUnsafe(
    `${LATEST_TASKS_CTE}
     SELECT problem_id, task_type, agent_label, count(*)::int AS n, count(*) FILTER (WHERE scored)::int AS scored,
            count(*) FILTER (WHERE solved)::int AS solved, count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'timed_out')::int AS timed_out, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
            count(*) FILTER (WHERE status IN ('pending', 'processing', 'retrying'))::int AS unfinished,
            count(*) FILTER (WHERE infra_error)::int AS infra_errors,
            ${['ttd', 'ttl', 'tta', 'ttm', 'steps'].map((c) => avg(c)).join(', ')}
     FROM latest GROUP BY problem_id, task_type, agent_label`,
    runId,
    JSON.stringify(problems),
  );
}
