import type { AgentPairComparison } from './agent-pair-comparison';
import type { ComparisonSelection } from './comparison-selection';

/** One side of a comparison as the warnings read it. */
export interface ComparedRun {
  run_id: string;
  status: string;
  counts: Record<string, number>;
  problem_ids: string[];
  agent_labels: string[];
  repeats: number;
}

/** Something a reader of the comparison must know; the answer is still given (200). */
export interface ComparisonWarning {
  code: 'run_unfinished' | 'problems_differ' | 'agents_differ' | 'repeats_differ' | 'unpaired_problems';
  message: string;
  [detail: string]: unknown;
}

/** At most ten ids in a message, then how many more (the detail fields carry them all). */
function listed(ids: string[]): string {
  return ids.length <= 10 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more`;
}

const without = (xs: string[], ys: string[]) => xs.filter((x) => !ys.includes(x));

function unfinished(side: 'a' | 'b', run: ComparedRun): ComparisonWarning | null {
  if (run.status === 'finished') return null;
  const waiting = (run.counts.pending ?? 0) + (run.counts.processing ?? 0) + (run.counts.retrying ?? 0);
  const message =
    run.status === 'running'
      ? `run ${side} (${run.run_id}) is still running: ${waiting} task(s) have not finished, so these numbers will change; compare again when GET /runs/${run.run_id} says finished`
      : `run ${side} (${run.run_id}) was cancelled: its ${run.counts.cancelled ?? 0} cancelled task(s) are not scored, so the cells they leave empty are missing from the comparison; POST /runs/${run.run_id}/retry runs them`;
  return { code: 'run_unfinished', message, run: side, run_id: run.run_id, status: run.status, unfinished_tasks: waiting, cancelled_tasks: run.counts.cancelled ?? 0 };
}

/** Where the two runs' grids differ: problems, agents (when paired by label) and repeats. */
function gridDifferences(a: ComparedRun, b: ComparedRun, selection: ComparisonSelection): ComparisonWarning[] {
  const warnings: ComparisonWarning[] = [];
  const problemsOnlyA = without(a.problem_ids, b.problem_ids);
  const problemsOnlyB = without(b.problem_ids, a.problem_ids);
  if (problemsOnlyA.length + problemsOnlyB.length > 0) {
    const parts = [problemsOnlyA.length > 0 ? `only run a has ${listed(problemsOnlyA)}` : '', problemsOnlyB.length > 0 ? `only run b has ${listed(problemsOnlyB)}` : ''].filter(Boolean);
    warnings.push({ code: 'problems_differ', message: `the runs' problems differ (${parts.join('; ')}): those problems are left out of the pairs`, problems_only_in_a: problemsOnlyA, problems_only_in_b: problemsOnlyB });
  }
  if (selection.pairing === 'problem_and_agent') {
    const agentsOnlyA = without(a.agent_labels, b.agent_labels);
    const agentsOnlyB = without(b.agent_labels, a.agent_labels);
    if (agentsOnlyA.length + agentsOnlyB.length > 0) {
      warnings.push({
        code: 'agents_differ',
        message: `agents without a partner of the same label are left out (only in run a: ${listed(agentsOnlyA) || 'none'}; only in run b: ${listed(agentsOnlyB) || 'none'}); compare them with agent_a and agent_b`,
        agents_only_in_a: agentsOnlyA,
        agents_only_in_b: agentsOnlyB,
      });
    }
  }
  if (a.repeats !== b.repeats) {
    warnings.push({ code: 'repeats_differ', message: `run a has ${a.repeats} repeat(s) per cell and run b ${b.repeats}: rates are comparable, but their intervals rest on different numbers of repeats`, repeats_a: a.repeats, repeats_b: b.repeats });
  }
  return warnings;
}

/**
 * The warnings of a comparison (pure): an unfinished or cancelled run, grids that differ (two
 * different runs), and problems that only one side of an agent pair scored (a cancelled or
 * unfinished cell, or a problem only one grid has), each naming exactly what is missing.
 */
export function comparisonWarnings(a: ComparedRun, b: ComparedRun, selection: ComparisonSelection, pairs: AgentPairComparison[]): ComparisonWarning[] {
  const sameRun = a.run_id === b.run_id;
  const warnings = [unfinished('a', a), sameRun ? null : unfinished('b', b)].filter((w): w is ComparisonWarning => w !== null);
  if (!sameRun) warnings.push(...gridDifferences(a, b, selection));
  // Problems of both grids that one side has not scored (problems_differ already names the others).
  const inA = new Set(a.problem_ids);
  const inB = new Set(b.problem_ids);
  for (const pair of pairs) {
    const onlyA = pair.unpaired.a.filter((id) => inB.has(id));
    const onlyB = pair.unpaired.b.filter((id) => inA.has(id));
    if (onlyA.length + onlyB.length === 0) continue;
    warnings.push({
      code: 'unpaired_problems',
      message: `${pair.agent_a} (a) against ${pair.agent_b} (b): problems one side has not scored (cancelled, or not finished yet) are left out (scored only in a: ${listed(onlyA) || 'none'}; only in b: ${listed(onlyB) || 'none'})`,
      agent_a: pair.agent_a,
      agent_b: pair.agent_b,
      problems_scored_only_in_a: onlyA,
      problems_scored_only_in_b: onlyB,
    });
  }
  return warnings;
}
