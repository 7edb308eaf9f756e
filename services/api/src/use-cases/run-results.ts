import type { SqlClient } from '@aiopslab/shared/db/sql';
import { countRunTasks, findRun } from '@aiopslab/shared/tables/runs';
import { runAggregates } from '@aiopslab/shared/tables/runs-results';
import type { PriceTable } from '../runs/price-table';
import { presentRunSummary } from '../runs/run-presenter';
import { countsFingerprint, ResultsCache } from '../runs/results-cache';
import { buildResultsRows, RESULTS_DEFINITIONS } from '../runs/results-table';

/**
 * GET /runs/{id}/results: the evaluation table of the run's latest task per grid cell. The
 * counts are read first, so cached aggregates are never older than the fingerprint they answer.
 */
export async function runResults(db: SqlClient, runId: string, prices: PriceTable, cache: ResultsCache) {
  const run = await findRun(db, runId);
  const counts = await countRunTasks(db, [runId]);
  const fingerprint = countsFingerprint(counts);
  let aggregates = cache.get(runId, fingerprint);
  if (!aggregates) {
    aggregates = await runAggregates(db, runId, run.problems);
    cache.set(runId, fingerprint, aggregates);
  }
  const summary = presentRunSummary(run, counts);
  return {
    run_id: run.id,
    name: run.name,
    status: summary.status,
    repeats: run.repeats,
    counts: summary.counts,
    rows: buildResultsRows(aggregates, run.agents, run.repeats, prices),
    definitions: RESULTS_DEFINITIONS,
  };
}
