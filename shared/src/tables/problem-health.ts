import type { SqlClient } from '../db/sql';
import type { AgentTally } from '../domain/problem-health';
import { infraErrorSql, setupReachedSql } from './infra-error-sql';

/**
 * Every finished task (completed, failed, timed_out; in a run or not, every attempt: a retry is a
 * repeat of the problem too) counted per (problem, agent config), for problem health
 * (shared/src/domain/problem-health.ts). The task type is the catalog's; a problem the catalog
 * lacks is graded as detection when its result has "Detection Accuracy" (isSolved's rule).
 * "Scored" and "solved" are the results table's (runs-results.ts); a setup failure is an infra
 * error (infra-error-sql.ts) before the runner reported setup done. Setup times are read from
 * result.durations.setup_s, which detoasts the result of every finished task: one statement.
 */
const HEALTH_SQL = `
  WITH finished AS (
    SELECT t.problem_id, p.task_type, t.agent_config, t.status, t.result_summary,
           coalesce(t.status IN ('failed', 'timed_out') AND ${infraErrorSql('t')}, false) AS infra_error,
           coalesce(${setupReachedSql('t')}, false) AS setup_reached,
           CASE WHEN jsonb_typeof(t.result#>'{durations,setup_s}') = 'number' THEN (t.result#>>'{durations,setup_s}')::float8 END AS setup_s
    FROM tasks t LEFT JOIN problems p ON p.id = t.problem_id
    WHERE t.status IN ('completed', 'failed', 'timed_out')
  ), graded AS (
    SELECT *, NOT infra_error AS scored,
           (status = 'completed' AND CASE
              WHEN task_type = 'detection' OR (task_type IS NULL AND result_summary ? 'detection') THEN result_summary->>'detection' = 'Correct'
              ELSE coalesce(result_summary->'success' = 'true'::jsonb, false) END) AS solved
    FROM finished
  )
  SELECT problem_id, max(task_type) AS task_type,
         agent_config->>'kind' AS agent_kind,
         CASE WHEN agent_config->>'kind' IN ('registry', 'reference') THEN agent_config->>'name' END AS agent_name,
         (agent_config->>'kind' IN ('reference', 'scripted')) AS deterministic,
         count(*)::int AS finished,
         count(*) FILTER (WHERE scored)::int AS scored,
         count(*) FILTER (WHERE solved)::int AS solved,
         count(*) FILTER (WHERE infra_error AND NOT setup_reached)::int AS setup_failures,
         coalesce(array_agg(setup_s) FILTER (WHERE setup_s IS NOT NULL), '{}') AS setup_s
  FROM graded
  GROUP BY problem_id, agent_config
  ORDER BY problem_id`;

/** The tallies of every (problem, agent config) with finished tasks. */
export function problemHealthTallies(db: SqlClient): Promise<AgentTally[]> {
  return db.$queryRawUnsafe<AgentTally[]>(HEALTH_SQL);
}
