import type { SqlClient } from '@aiopslab/shared/db/sql';
import { countRunTasks, findRun, RunRow } from '@aiopslab/shared/tables/runs';
import { problemTallies } from '@aiopslab/shared/tables/runs-results';
import { compareAgentPair } from '../runs/agent-pair-comparison';
import { ComparisonQuery, runBOf, selectComparison } from '../runs/comparison-selection';
import { comparisonWarnings } from '../runs/comparison-warnings';
import { COMPARISON_DEFINITIONS, compareTallies, ProblemTally } from '../runs/run-comparison';
import { presentRunSummary } from '../runs/run-presenter';
import { mcnemarExactP } from '../runs/statistics/mcnemar-exact';
import { roundP } from '../runs/run-statistics';

/**
 * GET /runs/compare?a=&b=&agent_a=&agent_b=: two runs paired problem by problem, or two agents
 * of one run (b omitted); the rules are in run-comparison.ts, comparison-selection.ts and
 * agent-pair-comparison.ts, the warnings in comparison-warnings.ts.
 */
export async function compareRuns(db: SqlClient, query: ComparisonQuery) {
  const b = runBOf(query);
  const [runA, runB] = await Promise.all([findRun(db, query.a), findRun(db, b)]);
  const selection = selectComparison(query, runA.agents.map((x) => x.label), runB.agents.map((x) => x.label));
  const [tallyA, tallyB, countsA, countsB] = await Promise.all([problemTallies(db, query.a, runA.problems), problemTallies(db, b, runB.problems), countRunTasks(db, [query.a]), countRunTasks(db, [b])]);
  const side = (run: RunRow, counts: typeof countsA) => presentRunSummary(run, counts);
  const [summaryA, summaryB] = [side(runA, countsA), side(runB, countsB)];
  const agentTallies = (tallies: ProblemTally[], label: string) => tallies.filter((t) => t.agent_label === label);
  const byAgent = selection.agentPairs.map((p) => compareAgentPair(p.agent_a, agentTallies(tallyA, p.agent_a), p.agent_b, agentTallies(tallyB, p.agent_b)));
  const [first] = selection.agentPairs;
  const pooled =
    selection.pairing === 'agents'
      ? compareTallies(agentTallies(tallyA, first.agent_a), agentTallies(tallyB, first.agent_b), { pairing: 'problem', labels: [] })
      : compareTallies(tallyA, tallyB, { pairing: selection.pairing, labels: selection.labels });
  const compared = (run: RunRow, summary: typeof summaryA) => ({ run_id: run.id, status: summary.status, counts: summary.counts, problem_ids: run.problems.map((p) => p.problem_id), agent_labels: run.agents.map((x) => x.label), repeats: run.repeats });
  const brief = (s: typeof summaryA) => ({ run_id: s.run_id, name: s.name, status: s.status, task_count: s.task_count });
  return {
    a: brief(summaryA),
    b: brief(summaryB),
    ...pooled,
    pairing: selection.pairing,
    mcnemar_p: roundP(mcnemarExactP(pooled.solved_only_by_a.length, pooled.solved_only_by_b.length)),
    by_agent: byAgent,
    warnings: comparisonWarnings(compared(runA, summaryA), compared(runB, summaryB), selection, byAgent),
    definitions: COMPARISON_DEFINITIONS,
  };
}
