import type { ProblemTally } from './run-comparison';
import { round, roundInterval, roundP } from './run-statistics';
import { BootstrapInterval, clusterBootstrapRate } from './statistics/cluster-bootstrap';
import { mcnemarExactP } from './statistics/mcnemar-exact';
import { pairedBootstrapDifference, PairedProblem, pooledRateDifference } from './statistics/paired-bootstrap';

/** The unit McNemar's test pairs: a problem, solved by a side when more than half of its scored repeats succeeded. */
export const MCNEMAR_UNIT = 'problem';

/** One agent of run a against one agent of run b (or two agents of one run), over the problems both scored. */
export interface AgentPairComparison {
  agent_a: string;
  agent_b: string;
  /** Problems both sides scored (the pairs). */
  problems: number;
  /** Problems scored by one side only, left out (their ids are in the warnings). */
  unpaired: { a: string[]; b: string[] };
  success_rate_a: number | null;
  success_rate_a_ci: BootstrapInterval | null;
  success_rate_b: number | null;
  success_rate_b_ci: BootstrapInterval | null;
  difference: number | null;
  difference_ci: BootstrapInterval | null;
  /** Discordant problems: solved (by majority of repeats) by one side and not the other. */
  solved_only_by_a: number;
  solved_only_by_b: number;
  mcnemar_p: number | null;
  mcnemar_unit: typeof MCNEMAR_UNIT;
}

const byProblemId = (x: { problem_id: string }, y: { problem_id: string }) => (x.problem_id < y.problem_id ? -1 : x.problem_id > y.problem_id ? 1 : 0);
const solvedByMajority = (t: { n: number; solved: number }) => t.solved / t.n > 0.5;

/**
 * The paired comparison of two agents (pure): rates as solved / scored over the problems both
 * scored, each with its cluster-bootstrap interval; their difference with a paired-bootstrap
 * interval; and the exact McNemar p on the discordant problems. `a` and `b` are each side's
 * per-problem tallies for its agent alone. Problems enter the bootstraps in id order.
 */
export function compareAgentPair(agentA: string, a: ProblemTally[], agentB: string, b: ProblemTally[]): AgentPairComparison {
  const scoredA = a.filter((t) => t.n > 0).sort(byProblemId);
  const scoredB = new Map(b.filter((t) => t.n > 0).map((t) => [t.problem_id, t]));
  const pairs: (PairedProblem & { problem_id: string })[] = [];
  const onlyA: string[] = [];
  for (const ta of scoredA) {
    const tb = scoredB.get(ta.problem_id);
    if (tb) pairs.push({ problem_id: ta.problem_id, a: ta, b: tb });
    else onlyA.push(ta.problem_id);
  }
  const paired = new Set(pairs.map((p) => p.problem_id));
  const onlyB = [...scoredB.keys()].filter((id) => !paired.has(id)).sort();
  const pooled = pooledRateDifference(pairs);
  const onlyByA = pairs.filter((p) => solvedByMajority(p.a) && !solvedByMajority(p.b)).length;
  const onlyByB = pairs.filter((p) => solvedByMajority(p.b) && !solvedByMajority(p.a)).length;
  return {
    agent_a: agentA,
    agent_b: agentB,
    problems: pairs.length,
    unpaired: { a: onlyA, b: onlyB },
    success_rate_a: round(pooled?.rate_a ?? null),
    success_rate_a_ci: roundInterval(clusterBootstrapRate(pairs.map((p) => p.a))),
    success_rate_b: round(pooled?.rate_b ?? null),
    success_rate_b_ci: roundInterval(clusterBootstrapRate(pairs.map((p) => p.b))),
    difference: round(pooled?.difference ?? null),
    difference_ci: roundInterval(pairedBootstrapDifference(pairs)),
    solved_only_by_a: onlyByA,
    solved_only_by_b: onlyByB,
    mcnemar_p: roundP(mcnemarExactP(onlyByA, onlyByB)),
    mcnemar_unit: MCNEMAR_UNIT,
  };
}
