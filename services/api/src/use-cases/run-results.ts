import type { SqlClient } from '@aiopslab/shared/db/sql';
import { countRunTasks, findRun } from '../data/run-queries';
import { runAggregates } from '../data/run-results-query';
import type { PriceTable } from '../runs/price-table';
import { presentRunSummary } from '../runs/run-presenter';
import { buildResultsRows, RESULTS_DEFINITIONS } from '../runs/results-table';

/** GET /runs/{id}/results: the evaluation table of the run's latest task per grid cell. */
export async function runResults(db: SqlClient, runId: string, prices: PriceTable) {
  const run = await findRun(db, runId);
  const [aggregates, counts] = await Promise.all([runAggregates(db, runId, run.problems), countRunTasks(db, [runId])]);
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
