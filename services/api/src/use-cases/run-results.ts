import type { SqlClient } from '@aiopslab/shared/db/sql';
import { countRunTasks, findRun } from '@aiopslab/shared/tables/runs';
import { runAggregates } from '@aiopslab/shared/tables/runs-results';
import type { PriceTable } from '../runs/price-table';
import { presentRunSummary } from '../runs/run-presenter';
import { runPendingWork } from '@aiopslab/shared/tables/runs-reconcile';
import { countsFingerprint, ResultsCache } from '../runs/results-cache';
import { buildResultsRows, RESULTS_DEFINITIONS, ResultsRow } from '../runs/results-table';

/**
 * GET /runs/{id}/results: the evaluation table of the run's latest task per grid cell. The
 * counts are read first, so cached rows are never older than the fingerprint they answer. The
 * rows (bootstrap intervals included) are what is cached: they depend on the aggregates alone.
 */
export async function runResults(db: SqlClient, runId: string, prices: PriceTable, cache: ResultsCache<ResultsRow[]>) {
  const run = await findRun(db, runId);
  const counts = await countRunTasks(db, [runId]);
  const fingerprint = countsFingerprint(counts);
  let rows = cache.get(runId, fingerprint);
  if (!rows) {
    rows = buildResultsRows(await runAggregates(db, runId, run.problems), run.agents, run.repeats, prices);
    cache.set(runId, fingerprint, rows);
  }
  const [work] = await runPendingWork(db, [runId]);
  const summary = presentRunSummary(run, counts, work);
  return {
    run_id: run.id,
    name: run.name,
    status: summary.status,
    repeats: run.repeats,
    counts: summary.counts,
    rows,
    definitions: RESULTS_DEFINITIONS,
  };
}
