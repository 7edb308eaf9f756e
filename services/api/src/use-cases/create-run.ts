import { randomUUID } from 'node:crypto';
import { type ProblemCatalog, unknownProblemMessage } from '@aiopslab/shared/catalog/problem-catalog';
import type { SqlClient } from '@aiopslab/shared/db/sql';
import { ConflictError, ValidationError } from '@aiopslab/shared/errors/app-error';
import { pastTaskMeans } from '@aiopslab/shared/tables/tasks-estimates';
import type { PriceTable } from '../runs/price-table';
import { estimateRun, RunEstimate } from '../runs/run-estimate';
import { findRunByIdempotencyKey, insertRun, type RunProblem } from '@aiopslab/shared/tables/runs';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';
import { checkAgentLabels, checkGridSize, expandGrid, resolveProblems, taskFieldsOf } from '../runs/run-grid';
import { calibrated } from '../runs/calibration';
import { requestFingerprint } from './request-fingerprint';
import { lockRunForReconcile } from '@aiopslab/shared/tables/runs-reconcile';
import { reconcileLocked } from './reconcile-run';
import { checkCallbackTargets } from './submit-tasks';
import { BULK_TRANSACTION_TIMEOUT_MS, type RunCreation, type RunRequest } from '../runs/run-schemas';

export interface RunDeps {
  tasks: TaskStore;
  /** The problem catalog (GET /problems): ids and task types, and the problems not run here. */
  listCatalog: () => Promise<ProblemCatalog>;
  validateProblemIds: boolean;
  /** CALLBACK_ALLOW_PRIVATE: skip the callback_url address check. */
  allowPrivateCallbacks: boolean;
  /** RUN_CONFIRM_LIMIT: above this many tasks a run needs `confirm: true`. */
  confirmLimit: number;
  /** Prices of a budgeted run's tasks (its first wave is what the budget can pay for). */
  prices: PriceTable;
}

export interface CreatedRun {
  run_id: string;
  name: string;
  task_count: number;
  problem_count: number;
  agent_count: number;
  repeats: number;
  created_at: string;
  max_infra_retries: number;
  budget_usd: number | null;
  /** A calibration run (reference agents; metadata.calibration). */
  calibration: boolean;
  /** Tasks created now: the whole grid, or a budgeted run's first wave. */
  tasks_created?: number;
  /** True when the Idempotency-Key matched an earlier run with the same body: nothing was created. */
  replayed: boolean;
}

/**
 * Validates the grid, then stores the run row, its tasks and their outbox messages in ONE
 * transaction: the run exists with every task dispatched, or not at all. The tasks go through
 * the same one-statement insert as POST /tasks/batch (the task store's submit). A run with
 * budget_usd gets only the first wave its budget can pay for (reconcile-run.ts creates the rest).
 */
export async function createRun(deps: RunDeps, request: RunRequest, idempotencyKey: string | undefined, correlationId?: string): Promise<CreatedRun> {
  const { body, problems } = await gridOf(deps, request);
  if (!deps.allowPrivateCallbacks) await checkCallbackTargets([body]);
  const taskCount = checkGridSize(problems.length, body);
  checkConfirmed(taskCount, problems.length, body, deps.confirmLimit);
  const fingerprint = idempotencyKey ? requestFingerprint(request) : null;
  const runId = randomUUID();
  const fields = taskFieldsOf(body);
  const budgetUsd = body.budget_usd ?? null;
  const summary = { name: body.name, task_count: taskCount, problem_count: problems.length, agent_count: body.agents.length, repeats: body.repeats, max_infra_retries: body.max_infra_retries, budget_usd: budgetUsd, calibration: request.calibration === true };
  return deps.tasks.inTransaction(async (tx): Promise<CreatedRun> => {
    const createdAt = await insertRun(tx.sql, { id: runId, name: body.name, problems, agents: body.agents, repeats: body.repeats, taskFields: fields, gridSize: taskCount, idempotencyKey: idempotencyKey ?? null, fingerprint, maxInfraRetries: body.max_infra_retries, budgetUsd });
    if (!createdAt) return replayRun(tx.sql, idempotencyKey!, fingerprint!, summary.calibration);
    if (budgetUsd === null) {
      await tx.submit(expandGrid(runId, problems, body, fields), correlationId);
      return { run_id: runId, ...summary, created_at: createdAt.toISOString(), tasks_created: taskCount, replayed: false };
    }
    const wave = await reconcileLocked(tx, (await lockRunForReconcile(tx.sql, runId))!, deps.prices, correlationId);
    return { run_id: runId, ...summary, created_at: createdAt.toISOString(), tasks_created: wave.cells_created, replayed: false };
  }, { timeoutMs: BULK_TRANSACTION_TIMEOUT_MS });
}

/** A run above the confirm limit must say `confirm: true`: 32,000 tasks are never created by accident. */
export function checkConfirmed(taskCount: number, problemCount: number, body: RunCreation, limit: number): void {
  if (taskCount <= limit || body.confirm === true) return;
  const grid = `${taskCount} tasks (${problemCount} problems × ${body.agents.length} agents × ${body.repeats} repeats)`;
  throw new ValidationError(`the run would have ${grid}, more than ${limit}: send "confirm": true to create it (POST /runs?dry_run=true shows the estimated cost first)`, [
    { field: 'confirm', rule: 'required', message: `must be true for a run of ${taskCount} tasks (more than RUN_CONFIRM_LIMIT ${limit}); check the grid with ?dry_run=true first` },
  ]);
}

/** POST /runs?dry_run=true: the grid and its estimated tokens, cost and time; creates nothing. */
export async function dryRunRun(deps: RunDeps & { db: SqlClient }, request: RunRequest): Promise<RunEstimate & { calibration: boolean }> {
  const { body, problems } = await gridOf(deps, request);
  checkGridSize(problems.length, body);
  const past = await pastTaskMeans(deps.db, body.agents.map((a) => a.agent_config));
  return { ...estimateRun(problems, body.agents, body.repeats, past, deps.prices, deps.confirmLimit), calibration: request.calibration === true };
}

/** The run's problems from the catalog, and the run as stored: a calibration run gets its reference agents. */
async function gridOf(deps: RunDeps, request: RunRequest): Promise<{ body: RunCreation; problems: RunProblem[] }> {
  const catalog = await deps.listCatalog();
  const unsupported = new Map(catalog.unsupported.map((p) => [p.id, p.reason]));
  const problems = resolveProblems(request, catalog.problems, deps.validateProblemIds, (id) => unknownProblemMessage(id, unsupported));
  const body = calibrated(request, problems);
  checkAgentLabels(body);
  return { body, problems };
}

/** Same key and same body (so the same calibration flag): the earlier run. Same key, another body: a 409. */
async function replayRun(tx: SqlClient, key: string, fingerprint: string, calibration: boolean): Promise<CreatedRun> {
  const run = await findRunByIdempotencyKey(tx, key);
  if (!run) throw new ConflictError('idempotency_key_in_flux', 'the run with this Idempotency-Key changed while it was created; retry the request');
  if (run.fingerprint !== fingerprint) {
    throw new ConflictError('idempotency_key_reused', `Idempotency-Key "${key}" was already used for a different run (${run.id}); use a new key for a new run`, { run_id: run.id });
  }
  return { run_id: run.id, name: run.name, task_count: run.grid_size, problem_count: run.problem_count, agent_count: run.agent_count, repeats: run.repeats, created_at: run.created_at.toISOString(), max_infra_retries: run.max_infra_retries, budget_usd: run.budget_usd, calibration, replayed: true };
}
