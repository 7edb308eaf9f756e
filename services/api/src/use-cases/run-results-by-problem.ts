import type { SqlClient } from '@aiopslab/shared/db/sql';
import { countRunTasks, findRun } from '@aiopslab/shared/tables/runs';
import { problemAgentCells, ProblemAgentCell } from '@aiopslab/shared/tables/runs-results';
import { buildProblemMatrix, PROBLEM_MATRIX_DEFINITIONS } from '../runs/results-by-problem';
import { presentRunSummary } from '../runs/run-presenter';
import { runPendingWork } from '@aiopslab/shared/tables/runs-reconcile';
import { countsFingerprint, ResultsCache } from '../runs/results-cache';

/** GET /runs/{id}/results?by=problem: the problem × agent matrix of the run's latest task per grid cell. */
export async function runResultsByProblem(db: SqlClient, runId: string, cache: ResultsCache<ProblemAgentCell[]>) {
  const run = await findRun(db, runId);
  const counts = await countRunTasks(db, [runId]);
  const fingerprint = countsFingerprint(counts);
  let cells = cache.get(runId, fingerprint);
  if (!cells) {
    cells = await problemAgentCells(db, runId, run.problems);
    cache.set(runId, fingerprint, cells);
  }
  const [work] = await runPendingWork(db, [runId]);
  const summary = presentRunSummary(run, counts, work);
  return {
    run_id: run.id,
    name: run.name,
    status: summary.status,
    by: 'problem' as const,
    repeats: run.repeats,
    agent_labels: run.agents.map((a) => a.label),
    problems: buildProblemMatrix(cells, run.problems, run.agents),
    definitions: PROBLEM_MATRIX_DEFINITIONS,
  };
}
