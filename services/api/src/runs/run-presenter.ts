import type { AgentStatusGroup, RunRow } from '@aiopslab/shared/tables/runs';
import type { RunPendingWork } from '@aiopslab/shared/tables/runs-reconcile';
import { estimateCost, PriceTable, priceOf, TokenTotals } from './price-table';
import { isTaskStatus, isTerminal } from '@aiopslab/shared/domain/task-status';
import { runStatusOf, zeroCounts } from './run-status';
import { isCalibrationRun } from './calibration';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

interface Counted {
  status: string;
  n: number;
  last_completed_at: Date | null;
}

function summarize(groups: Counted[]) {
  const counts: Record<string, number> = zeroCounts();
  let taskCount = 0;
  let lastCompleted: Date | null = null;
  for (const g of groups) {
    counts[g.status] = (counts[g.status] ?? 0) + g.n;
    taskCount += g.n;
    if (g.last_completed_at && (!lastCompleted || g.last_completed_at > lastCompleted)) lastCompleted = g.last_completed_at;
  }
  return { counts, taskCount, lastCompleted };
}

/** Infra retries due and cells not created yet (runs-reconcile.ts); absent = none. */
function pendingOf(run: RunRow, work: RunPendingWork | undefined) {
  return { missingCells: work ? Math.max(0, run.grid_size - work.cells_created) : 0, infraRetriesDue: work?.infra_retries_due ?? 0, budgeted: run.budget_usd !== null && run.budget_usd !== undefined };
}

/** The fields of a run every view shows (pure): status and counts computed from its tasks' statuses and the work it still owes. */
export function presentRunSummary(run: RunRow, groups: Counted[], work?: RunPendingWork) {
  const { counts, taskCount, lastCompleted } = summarize(groups);
  const pending = pendingOf(run, work);
  const status = runStatusOf(counts, run.cancelled_at, pending);
  return {
    run_id: run.id,
    name: run.name,
    status,
    task_count: taskCount,
    grid_size: run.grid_size,
    problem_count: run.problems.length,
    agent_labels: run.agents.map((a) => a.label),
    repeats: run.repeats,
    counts,
    created_at: iso(run.created_at),
    finished_at: status === 'running' || status === 'budget_exhausted' ? null : iso(lastCompleted ?? run.cancelled_at ?? run.created_at),
    cancelled_at: iso(run.cancelled_at),
    max_infra_retries: run.max_infra_retries,
    budget_usd: run.budget_usd ?? null,
    calibration: isCalibrationRun(run.task_fields),
    infra_retries_due: pending.infraRetriesDue,
    cells_not_created: pending.missingCells,
  };
}

function tokensOf(groups: AgentStatusGroup[]): TokenTotals {
  const total = { prompt_tokens: 0, completion_tokens: 0, in_tokens: 0, out_tokens: 0 };
  for (const g of groups) for (const key of Object.keys(total) as (keyof TokenTotals)[]) total[key] += Number(g[key]);
  return total;
}

/**
 * Grid cells whose latest task has ended. Only ended tasks are ever replaced, and each retry
 * replaces one, so that is the ended tasks minus the retries.
 */
function progressOf(groups: AgentStatusGroup[], cells: number) {
  const ended = groups.filter((g) => isTaskStatus(g.status) && isTerminal(g.status)).reduce((sum, g) => sum + g.n, 0);
  const retries = groups.reduce((sum, g) => sum + g.retries, 0);
  return { cells, finished_cells: ended - retries };
}

/** GET /runs/{id}: the summary, the grid, and per-agent progress with tokens and estimated cost. */
export function presentRun(run: RunRow, groups: AgentStatusGroup[], prices: PriceTable, work?: RunPendingWork) {
  const agents = run.agents.map((agent) => {
    const own = groups.filter((g) => g.agent_label === agent.label);
    const { counts, taskCount } = summarize(own);
    const tokens = tokensOf(own);
    const price = priceOf(prices, agent);
    const progress = progressOf(own, run.problems.length * run.repeats);
    return { label: agent.label, agent_config: agent.agent_config, task_count: taskCount, counts, progress, tokens, price_key: price?.key ?? null, estimated_cost: estimateCost(price?.price ?? null, tokens) };
  });
  const priced = agents.filter((a) => a.estimated_cost);
  return {
    ...presentRunSummary(run, groups, work),
    progress: progressOf(groups, run.grid_size),
    problems: run.problems,
    task_fields: run.task_fields,
    agents,
    tokens: tokensOf(groups),
    estimated_cost_usd: priced.length > 0 ? Math.round(priced.reduce((sum, a) => sum + a.estimated_cost!.usd, 0) * 1e6) / 1e6 : null,
  };
}
