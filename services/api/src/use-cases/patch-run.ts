import { ValidationError } from '@aiopslab/shared/errors/app-error';
import { findRun, setRunBudget } from '@aiopslab/shared/tables/runs';
import type { TaskStore } from '@aiopslab/shared/task-store/task-store';
import type { PriceTable } from '../runs/price-table';
import type { RunPatch } from '../runs/run-schemas';
import { reconcileLocked } from './reconcile-run';

/**
 * PATCH /runs/{id}: raises a budgeted run's budget_usd and, in the same transaction, creates
 * the wave the new budget pays for (a budget_exhausted run goes on at once). A budget can only
 * go up: tasks already created are never taken back, so a lower one would promise what it
 * cannot keep. A run created without a budget created all its tasks at once and takes none.
 */
export async function patchRun(deps: { tasks: TaskStore; prices: PriceTable }, runId: string, patch: RunPatch, correlationId?: string) {
  return deps.tasks.inTransaction(async (tx) => {
    const run = await findRun(tx.sql, runId, { lock: true });
    if (run.budget_usd === null) {
      throw new ValidationError(`run ${runId} has no budget_usd: all its tasks were created with it, so there is nothing a budget could hold; create a run with budget_usd to spend in waves`, [
        { field: 'budget_usd', rule: 'run_has_no_budget', message: 'only a run created with budget_usd can have it raised' },
      ]);
    }
    if (patch.budget_usd < run.budget_usd) {
      throw new ValidationError(`budget_usd ${patch.budget_usd} is below the run's budget ${run.budget_usd}: a budget can only be raised (tasks already created are never taken back); cancel the run (DELETE /runs/${runId}) to stop it`, [
        { field: 'budget_usd', rule: 'minimum', message: `must be at least the current budget_usd ${run.budget_usd}` },
      ]);
    }
    await setRunBudget(tx.sql, runId, patch.budget_usd);
    const wave = run.cancelled_at ? null : await reconcileLocked(tx, { ...run, budget_usd: patch.budget_usd }, deps.prices, correlationId);
    return { run_id: runId, budget_usd: patch.budget_usd, previous_budget_usd: run.budget_usd, tasks_created: (wave?.cells_created ?? 0) + (wave?.infra_retried ?? 0), committed_usd: wave?.committed_usd ?? null };
  });
}
