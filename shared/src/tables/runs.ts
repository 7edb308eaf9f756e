import type { SqlClient } from '../db/sql';
import { NotFoundError } from '../errors/app-error';
import { summaryNumber } from './runs-results';

/** A run's problems with the task type each had in the catalog when the run was created. */
export interface RunProblem {
  problem_id: string;
  task_type: string;
}

export interface RunAgent {
  label: string;
  agent_config: Record<string, unknown> & { kind: string };
}

/** The task fields every task of the run shares. */
export interface RunTaskFields {
  max_steps: number;
  timeout_minutes: number;
  priority: number;
  max_retries: number;
  metadata: Record<string, unknown>;
  callback_url?: string;
}

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
  /** Automatic retries per grid cell for infrastructure errors. */
  max_infra_retries: number;
  /** Spending limit in USD; null = unlimited. */
  budget_usd: number | null;
}

const RUN_COLUMNS = 'id::text, name, problems, agents, repeats, task_fields, grid_size, cancelled_at, created_at, max_infra_retries, budget_usd';

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

export interface NewRun {
  id: string;
  name: string;
  problems: RunProblem[];
  agents: RunAgent[];
  repeats: number;
  taskFields: RunTaskFields;
  gridSize: number;
  idempotencyKey: string | null;
  fingerprint: string | null;
  maxInfraRetries: number;
  budgetUsd: number | null;
}

/** Inserts the run; returns its created_at, or null when its idempotency key exists already. */
export async function insertRun(db: SqlClient, run: NewRun): Promise<Date | null> {
  const inserted = await db.$queryRaw<{ created_at: Date }[]>`
    INSERT INTO runs (id, name, problems, agents, repeats, task_fields, grid_size, idempotency_key, idempotency_fingerprint, max_infra_retries, budget_usd)
    VALUES (${run.id}::uuid, ${run.name}, ${JSON.stringify(run.problems)}::jsonb, ${JSON.stringify(run.agents)}::jsonb, ${run.repeats}::int,
            ${JSON.stringify(run.taskFields)}::jsonb, ${run.gridSize}::int, ${run.idempotencyKey}::text, ${run.fingerprint}::text,
            ${run.maxInfraRetries}::int, ${run.budgetUsd}::float8)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING created_at`;
  return inserted[0]?.created_at ?? null;
}

export interface RunOfKey {
  id: string;
  name: string;
  fingerprint: string;
  grid_size: number;
  problem_count: number;
  agent_count: number;
  repeats: number;
  created_at: Date;
  max_infra_retries: number;
  budget_usd: number | null;
}

/** The run created with this idempotency key, or null. */
export async function findRunByIdempotencyKey(db: SqlClient, key: string): Promise<RunOfKey | null> {
  const [run] = await db.$queryRaw<RunOfKey[]>`
    SELECT id::text, name, idempotency_fingerprint AS fingerprint, grid_size, jsonb_array_length(problems) AS problem_count,
           jsonb_array_length(agents) AS agent_count, repeats, created_at, max_infra_retries, budget_usd
    FROM runs WHERE idempotency_key = ${key}`;
  return run ?? null;
}

/** Records the run's cancellation (the first one's time is kept). */
export async function markRunCancelled(db: SqlClient, runId: string): Promise<void> {
  await db.$executeRaw`UPDATE runs SET cancelled_at = coalesce(cancelled_at, now()) WHERE id = ${runId}::uuid`;
}

/** A retry reopens a cancelled run. */
export async function clearRunCancellation(db: SqlClient, runId: string): Promise<void> {
  await db.$executeRaw`UPDATE runs SET cancelled_at = NULL WHERE id = ${runId}::uuid`;
}

/** Sets the run's budget_usd (PATCH /runs/{id}); the caller holds the run's row lock. */
export async function setRunBudget(db: SqlClient, runId: string, budgetUsd: number | null): Promise<void> {
  await db.$executeRaw`UPDATE runs SET budget_usd = ${budgetUsd}::float8 WHERE id = ${runId}::uuid`;
}
