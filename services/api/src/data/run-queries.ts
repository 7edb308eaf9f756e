import type { SqlClient } from '@aiopslab/shared/db/sql';
import { NotFoundError } from '@aiopslab/shared/errors/app-error';
import type { RunProblem, RunTaskFields } from '../runs/run-grid';
import { summaryNumber } from './run-results-query';
import type { RunAgent } from '../runs/run-schemas';

/** A runs row. */
export interface RunRow {
  id: string;
  name: string;
  problems: RunProblem[];
  agents: RunAgent[];
  repeats: number;
  task_fields: RunTaskFields;
  grid_size: number;
  cancelled_at: Date | null;
  created_at: Date;
}

const RUN_COLUMNS = 'id::text, name, problems, agents, repeats, task_fields, grid_size, cancelled_at, created_at';

/** The run, or a 404; `lock` holds the row until the transaction ends (serializes cancel and retries of one run). */
export async function findRun(db: SqlClient, runId: string, options: { lock?: boolean } = {}): Promise<RunRow> {
  const rows = await db.$queryRawUnsafe<RunRow[]>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1::uuid${options.lock ? ' FOR UPDATE' : ''}`, runId);
  if (!rows[0]) throw new NotFoundError('run', runId);
  return rows[0];
}

/** Newest first, keyset on (created_at, id). */
export async function listRunRows(db: SqlClient, limit: number, after?: { createdAt: Date; id: string }): Promise<RunRow[]> {
  if (!after) return db.$queryRawUnsafe<RunRow[]>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY created_at DESC, id DESC LIMIT $1`, limit);
  return db.$queryRawUnsafe<RunRow[]>(`SELECT ${RUN_COLUMNS} FROM runs WHERE (created_at, id) < ($2::timestamptz, $3::uuid) ORDER BY created_at DESC, id DESC LIMIT $1`, limit, after.createdAt, after.id);
}

export interface StatusCount {
  run_id: string;
  status: string;
  n: number;
  last_completed_at: Date | null;
}

/** Tasks per run and status, from the (run_id, status) index alone. */
export async function countRunTasks(db: SqlClient, runIds: string[]): Promise<StatusCount[]> {
  if (runIds.length === 0) return [];
  return db.$queryRaw<StatusCount[]>`
    SELECT run_id::text, status, count(*)::int AS n, max(completed_at) AS last_completed_at
    FROM tasks WHERE run_id = ANY(${runIds}::uuid[]) GROUP BY run_id, status`;
}

export interface AgentStatusGroup {
  agent_label: string;
  status: string;
  n: number;
  last_completed_at: Date | null;
  /** Tasks that retry another: each replaced one earlier task of its cell. */
  retries: number;
  prompt_tokens: number;
  completion_tokens: number;
  in_tokens: number;
  out_tokens: number;
}

/** Per agent and status: counts and token totals (progress and cost of GET /runs/{id}). */
export async function agentStatusGroups(db: SqlClient, runId: string): Promise<AgentStatusGroup[]> {
  const sum = (key: string) => `coalesce(sum(${summaryNumber(key)}), 0)::float8 AS ${key}`;
  return db.$queryRawUnsafe<AgentStatusGroup[]>(
    `SELECT agent_label, status, count(*)::int AS n, max(completed_at) AS last_completed_at, count(retry_of)::int AS retries,
            ${['prompt_tokens', 'completion_tokens', 'in_tokens', 'out_tokens'].map(sum).join(', ')}
     FROM tasks t
     WHERE run_id = $1::uuid GROUP BY agent_label, status`,
    runId,
  );
}
