import type { SqlClient } from '../db/sql';

/** Means over past finished tasks of one problem × agent config (null problem: any problem). */
export interface PastTaskMeans {
  problem_id: string | null;
  agent_config: unknown;
  tasks: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  in_tokens: number | null;
  out_tokens: number | null;
  duration_s: number | null;
}

const MEANS = `count(*)::int AS tasks,
  avg((result_summary->>'prompt_tokens')::float8) AS prompt_tokens, avg((result_summary->>'completion_tokens')::float8) AS completion_tokens,
  avg((result_summary->>'in_tokens')::float8) AS in_tokens, avg((result_summary->>'out_tokens')::float8) AS out_tokens,
  avg(extract(epoch FROM completed_at - started_at)::float8) AS duration_s`;

/**
 * Means of the finished (completed, failed, timed-out) tasks with these agent configs, per
 * problem and per config over every problem (GROUPING SETS): what POST /runs?dry_run=true
 * estimates from. Agent configs match as stored (jsonb equality, defaults applied).
 */
export function pastTaskMeans(db: SqlClient, agentConfigs: unknown[]): Promise<PastTaskMeans[]> {
  return db.$queryRawUnsafe<PastTaskMeans[]>(
    `SELECT problem_id, agent_config, ${MEANS}
     FROM tasks WHERE status IN ('completed', 'failed', 'timed_out') AND started_at IS NOT NULL
       AND agent_config = ANY(SELECT jsonb_array_elements($1::jsonb))
     GROUP BY GROUPING SETS ((problem_id, agent_config), (agent_config))`,
    JSON.stringify(agentConfigs),
  );
}
