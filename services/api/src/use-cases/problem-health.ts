import type { SqlClient } from '@aiopslab/shared/db/sql';
import { flaggedProblemIds, HEALTH_FLAGS, problemHealth, ProblemHealth, SETUP_FAILURE_MIN, SETUP_FAILURE_RATE_LIMIT } from '@aiopslab/shared/domain/problem-health';
import { problemHealthTallies } from '@aiopslab/shared/tables/problem-health';
import { readProblemRows } from '@aiopslab/shared/tables/problems';
import type { ResultsCache } from '../runs/results-cache';
import type { ProblemAgentCell } from '@aiopslab/shared/tables/runs-results';
import { runResultsByProblem } from './run-results-by-problem';

export const PROBLEM_HEALTH_DEFINITIONS = {
  do_nothing_passes: 'the reference do_nothing agent (no action, the empty answer: "No", [], {}, a bare submit()) solved the problem: its grader passes an agent that found and fixed nothing. noop_* problems have no fault, so there it is expected (a note, not a flag)',
  setup_unreliable: `more than ${SETUP_FAILURE_RATE_LIMIT * 100} % of the finished tasks (and at least ${SETUP_FAILURE_MIN}) failed before setup completed (infra_error before the agent got the problem)`,
  flaky: 'one deterministic agent (reference or scripted) was both solved and unsolved across repeats: the environment decides the outcome',
  setup_s: 'result.durations.setup_s of the tasks that got through setup: p50 and p95 by linear interpolation (numpy.percentile)',
  varying_agents: 'agent configs (LLMs included) scored at least twice with both outcomes; not a flag, as stochastic agents vary by design',
  counts: 'from every finished task (completed, failed, timed_out) of the problem, in runs (calibration or not) and alone, every attempt',
};

/** GET /problems/health: per problem, its flags and the counts they rest on. */
export async function readProblemHealth(db: SqlClient) {
  const [tallies, catalog] = await Promise.all([problemHealthTallies(db), readProblemRows(db)]);
  const problems = problemHealth(tallies, catalog.filter((p) => p.unsupported_reason === null));
  const flagCounts = Object.fromEntries(HEALTH_FLAGS.map((flag) => [flag, problems.filter((p) => p.flags.includes(flag)).length]));
  return { problems, flagged: problems.filter((p) => p.flags.length > 0).length, flag_counts: flagCounts, definitions: PROBLEM_HEALTH_DEFINITIONS };
}

/** The flagged problems among `problemIds`, with their flags. */
export function excludedOf(health: ProblemHealth[], problemIds: readonly string[]) {
  const flagged = flaggedProblemIds(health);
  return health.filter((h) => flagged.has(h.problem_id) && problemIds.includes(h.problem_id)).map((h) => ({ problem_id: h.problem_id, flags: h.flags }));
}

/** GET /runs/{id}/results?by=problem&exclude_flagged=true: the matrix without the problems problem health flags, which it names. */
export async function runResultsByProblemExcludingFlagged(db: SqlClient, runId: string, cache: ResultsCache<ProblemAgentCell[]>) {
  const matrix = await runResultsByProblem(db, runId, cache);
  const { problems: health } = await readProblemHealth(db);
  const excluded = excludedOf(health, matrix.problems.map((p) => p.problem_id));
  const left = new Set(excluded.map((e) => e.problem_id));
  return {
    ...matrix,
    problems: matrix.problems.filter((p) => !left.has(p.problem_id)),
    excluded_problems: excluded,
    excluded_count: excluded.length,
    note: excluded.length === 0 ? 'no problem of this run is flagged by GET /problems/health' : `${excluded.length} flagged problem(s) left out (GET /problems/health says why): ${excluded.map((e) => `${e.problem_id} (${e.flags.join(', ')})`).join('; ')}`,
  };
}
