import type { AgentConfig } from '@aiopslab/shared/schemas/task-submission';
import type { RunRow } from '@aiopslab/shared/tables/runs';
import { infraRetryCandidates, lockRunForReconcile, RunTaskCell, runTaskCells } from '@aiopslab/shared/tables/runs-reconcile';
import type { Task } from '@aiopslab/shared/tables/tasks';
import type { NewTask } from '@aiopslab/shared/tables/tasks-insert';
import { pastTaskMeans } from '@aiopslab/shared/tables/tasks-estimates';
import type { TaskStore, TaskTransaction } from '@aiopslab/shared/task-store/task-store';
import { cellEstimator, spentUsd } from '../runs/budget-estimates';
import { CellRef, planBudget } from '../runs/budget-plan';
import type { PriceTable } from '../runs/price-table';
import { runTaskSubmission } from '../runs/run-grid';
import { storeReplacements } from './retry-tasks';

export interface ReconcileOutcome {
  run_id: string;
  infra_retried: number;
  cells_created: number;
  /** Only for budgeted runs: spent + in-flight + this wave's estimates (USD). */
  committed_usd: number | null;
  budget_exhausted: boolean;
}

type Candidate = CellRef & { retry?: Task };

/** The grid's cells that have no task yet, repeat-major like expandGrid (pure). */
export function missingCells(run: Pick<RunRow, 'problems' | 'agents' | 'repeats'>, cells: CellRef[]): CellRef[] {
  const have = new Set(cells.map((c) => `${c.repeat_index}|${c.problem_id}|${c.agent_label}`));
  const missing: CellRef[] = [];
  for (let repeat = 1; repeat <= run.repeats; repeat++) {
    for (const problem of run.problems) {
      for (const agent of run.agents) {
        if (!have.has(`${repeat}|${problem.problem_id}|${agent.label}`)) missing.push({ agent_label: agent.label, problem_id: problem.problem_id, repeat_index: repeat });
      }
    }
  }
  return missing;
}

function newCellTask(run: RunRow, cell: CellRef): NewTask {
  const agent = run.agents.find((a) => a.label === cell.agent_label)!;
  return { submission: runTaskSubmission(cell.problem_id, agent.agent_config as AgentConfig, run.task_fields), fingerprint: null, placement: { runId: run.id, agentLabel: cell.agent_label, repeatIndex: cell.repeat_index } };
}

async function planWave(tx: TaskTransaction, run: RunRow, infra: Task[], prices: PriceTable) {
  const cells: RunTaskCell[] = await runTaskCells(tx.sql, run.id);
  const past = await pastTaskMeans(tx.sql, run.agents.map((a) => a.agent_config));
  const candidates: Candidate[] = [
    ...infra.map((t) => ({ agent_label: t.agentLabel!, problem_id: t.problemId, repeat_index: t.repeatIndex!, retry: t })),
    ...missingCells(run, cells),
  ];
  return planBudget({
    budgetUsd: run.budget_usd!,
    spentUsd: spentUsd(cells, run.agents, prices),
    inFlight: cells.filter((c) => c.in_flight),
    candidates,
    estimateOf: cellEstimator(cells, run.agents, past, prices),
  });
}

/**
 * Brings one run up to date, in one transaction under its row lock (SKIP LOCKED: a reconciler
 * that finds the row held leaves the run to the holder and answers null):
 * - each latest task that ended in a retryable infra error, with the cell's max_infra_retries
 *   left, gets its replacement through the retry path (new task with retry_of; the unique
 *   index on retry_of makes a second replacement impossible even without the lock);
 * - a budgeted run gets the next wave of tasks its budget can pay for (budget-plan.ts); infra
 *   retries go first and are paid from the same budget.
 * Cancelled runs are left alone.
 */
export async function reconcileRun(deps: { tasks: TaskStore; prices: PriceTable }, runId: string, correlationId?: string): Promise<ReconcileOutcome | null> {
  return deps.tasks.inTransaction(async (tx) => {
    const run = await lockRunForReconcile(tx.sql, runId);
    if (!run || run.cancelled_at) return null;
    return reconcileLocked(tx, run, deps.prices, correlationId);
  });
}

/** The work of reconcileRun for a run whose row this transaction holds (also POST /runs and PATCH /runs/{id}). */
export async function reconcileLocked(tx: TaskTransaction, run: RunRow, prices: PriceTable, correlationId?: string): Promise<ReconcileOutcome> {
  const infra = await infraRetryCandidates(tx.sql, run.id);
  if (run.budget_usd === null) {
    if (infra.length > 0) await storeReplacements(tx, infra, correlationId);
    return { run_id: run.id, infra_retried: infra.length, cells_created: 0, committed_usd: null, budget_exhausted: false };
  }
  const plan = await planWave(tx, run, infra, prices);
  const retries = plan.create.filter((c) => c.retry).map((c) => c.retry!);
  const fresh = plan.create.filter((c) => !c.retry);
  if (retries.length > 0) await storeReplacements(tx, retries, correlationId);
  if (fresh.length > 0) await tx.submit(fresh.map((c) => newCellTask(run, c)), correlationId);
  return { run_id: run.id, infra_retried: retries.length, cells_created: fresh.length, committed_usd: plan.committedUsd, budget_exhausted: plan.exhausted };
}
