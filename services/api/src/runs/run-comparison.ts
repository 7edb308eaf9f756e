import { ValidationError } from '@aiopslab/shared/errors/app-error';
import { pairedDifference, round } from './run-statistics';

export interface ProblemTally {
  problem_id: string;
  agent_label: string;
  /** Scored latest tasks (one per repeat) and how many were solved. */
  n: number;
  solved: number;
}

export type Pairing = 'problem_and_agent' | 'problem';

/**
 * How two runs are paired: by (problem, agent label) over the labels both runs have; when they
 * share none and each has exactly one agent, by problem alone (agent X of a against agent Y of b).
 */
export function pairingOf(labelsA: string[], labelsB: string[]): { pairing: Pairing; labels: string[] } {
  const shared = labelsA.filter((label) => labelsB.includes(label));
  if (shared.length > 0) return { pairing: 'problem_and_agent', labels: shared };
  if (labelsA.length === 1 && labelsB.length === 1) return { pairing: 'problem', labels: [] };
  throw new ValidationError('the runs share no agent label and one of them has several agents: there is no way to pair them', [
    { field: 'b', rule: 'pairable', message: 'compare runs with a common agent label, or two single-agent runs' },
  ]);
}

interface PairedProblem {
  problem_id: string;
  agent_label: string | null;
  rate_a: number;
  rate_b: number;
}

/** A problem counts as solved by a run when more than half of its scored repeats succeeded. */
const solved = (rate: number) => rate > 0.5;

/**
 * The comparison (pure): the paired difference of per-problem success rates with its standard
 * error, and the problems one run solved and the other did not. Problems scored in only one
 * run are counted as unpaired.
 */
export function compareTallies(a: ProblemTally[], b: ProblemTally[], pairing: { pairing: Pairing; labels: string[] }) {
  const keyOf = (t: ProblemTally) => (pairing.pairing === 'problem' ? t.problem_id : `${t.problem_id}\u0000${t.agent_label}`);
  const usable = (t: ProblemTally) => t.n > 0 && (pairing.pairing === 'problem' || pairing.labels.includes(t.agent_label));
  const bByKey = new Map(b.filter(usable).map((t) => [keyOf(t), t]));
  const pairs: PairedProblem[] = [];
  let unpairedA = 0;
  for (const ta of a.filter(usable)) {
    const tb = bByKey.get(keyOf(ta));
    if (!tb) {
      unpairedA++;
      continue;
    }
    bByKey.delete(keyOf(ta));
    pairs.push({ problem_id: ta.problem_id, agent_label: pairing.pairing === 'problem' ? null : ta.agent_label, rate_a: ta.solved / ta.n, rate_b: tb.solved / tb.n });
  }
  pairs.sort((x, y) => x.problem_id.localeCompare(y.problem_id) || (x.agent_label ?? '').localeCompare(y.agent_label ?? ''));
  const difference = pairedDifference(pairs.map((p) => ({ a: p.rate_a, b: p.rate_b })));
  const show = (p: PairedProblem) => ({ problem_id: p.problem_id, agent_label: p.agent_label, success_rate_a: round(p.rate_a), success_rate_b: round(p.rate_b) });
  return {
    pairing: pairing.pairing,
    agent_labels: pairing.labels,
    pairs: difference.pairs,
    success_rate_a: round(difference.rate_a),
    success_rate_b: round(difference.rate_b),
    difference: round(difference.difference),
    difference_stderr: round(difference.stderr),
    difference_ci95: difference.ci95 ? difference.ci95.map((v) => round(v)) : null,
    solved_only_by_a: pairs.filter((p) => solved(p.rate_a) && !solved(p.rate_b)).map(show),
    solved_only_by_b: pairs.filter((p) => solved(p.rate_b) && !solved(p.rate_a)).map(show),
    unpaired: { a: unpairedA, b: bByKey.size },
  };
}

/** What each field of GET /runs/compare means: returned with the comparison. */
export const COMPARISON_DEFINITIONS = {
  pairing: "problem_and_agent: each label both runs have, with itself, problem by problem; problem: two single-agent runs, agent against agent; agents: agent_a of run a against agent_b of run b (or of run a when b is omitted)",
  difference: 'pooled over every pair: mean of the per-pair differences of success rates, with difference_stderr = sd / √pairs and difference_ci95 = ± 1.96 stderr (normal approximation)',
  mcnemar_p: 'exact two-sided McNemar test (binomial, p = ½) on the discordant pairs of the pooled comparison: solved_only_by_a against solved_only_by_b; null when there is none',
  by_agent:
    'one entry per agent pair, over the problems both sides scored: success_rate_a/b = solved / scored with a cluster-bootstrap interval (problems, then repeats); difference = success_rate_a − success_rate_b with a paired-bootstrap interval (problems drawn with both sides together, then each side’s repeats); mcnemar_p = exact McNemar on the discordant problems',
  mcnemar_unit:
    'problem: a side solves a problem when more than half of its scored repeats succeeded. Problems, not (problem, repeat) pairs, are paired because the problems are the sample and repeat i of one side has no natural partner in the other (repeat numbers are labels, not shared conditions): pairing repeats would make p depend on an arbitrary matching and count correlated repeats of one problem as independent evidence',
  warnings: 'the answer is given anyway; each warning names what is missing: an unfinished or cancelled run, problems or agents only one grid has, different repeats, problems one side has not scored',
};
