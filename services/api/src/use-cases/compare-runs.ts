import type { SqlClient } from '@aiopslab/shared/db/sql';
import { countRunTasks, findRun } from '@aiopslab/shared/tables/runs';
import { problemTallies } from '@aiopslab/shared/tables/runs-results';
import { compareTallies, pairingOf } from '../runs/run-comparison';
import { presentRunSummary } from '../runs/run-presenter';

/** GET /runs/compare?a=&b=: two runs paired problem by problem (run-comparison.ts has the rule). */
export async function compareRuns(db: SqlClient, a: string, b: string) {
  const [runA, runB] = await Promise.all([findRun(db, a), findRun(db, b)]);
  const pairing = pairingOf(
    runA.agents.map((x) => x.label),
    runB.agents.map((x) => x.label),
  );
  const [tallyA, tallyB, countsA, countsB] = await Promise.all([problemTallies(db, a, runA.problems), problemTallies(db, b, runB.problems), countRunTasks(db, [a]), countRunTasks(db, [b])]);
  const side = (run: typeof runA, counts: typeof countsA) => {
    const { run_id, name, status, task_count } = presentRunSummary(run, counts);
    return { run_id, name, status, task_count };
  };
  return { a: side(runA, countsA), b: side(runB, countsB), ...compareTallies(tallyA, tallyB, pairing) };
}
