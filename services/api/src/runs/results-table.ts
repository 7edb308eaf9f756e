import type { CellTally, GroupAggregate, RunAggregates, TaskMetricMeans } from '@aiopslab/shared/tables/runs-results';
import type { RunAgent } from '@aiopslab/shared/tables/runs';
import { estimateCost, PriceTable, priceOf } from './price-table';
import { passHatK, round, roundInterval, stderrOverRepeats } from './run-statistics';
import { BootstrapInterval, clusterBootstrapRate } from './statistics/cluster-bootstrap';

export const OVERALL = 'all';

/** One row of the evaluation table: an agent on one task type, or the agent overall (task_type "all"). */
export interface ResultsRow extends TaskMetricMeans {
  agent_label: string;
  task_type: string;
  n: number;
  scored: number;
  solved: number;
  success_rate: number | null;
  /** 95% cluster-bootstrap interval of success_rate (problems, then repeats); null when nothing is scored. */
  success_rate_ci: BootstrapInterval | null;
  success_rate_stderr: number | null;
  /** The same number as success_rate_stderr, under a name that says what it is: the spread over repeats only. */
  repeat_spread_stderr: number | null;
  pass_hat_k: Record<string, number | null>;
  completed: number;
  failed: number;
  timed_out: number;
  cancelled: number;
  unfinished: number;
  /** Latest tasks that ended in an infrastructure error (outcome_class infra_error): part of failed/timed_out, not scored. */
  infra_errors: number;
  detection_accuracy: number | null;
  localization_accuracy: number | null;
  estimated_cost_usd: number | null;
  cost_basis: 'usage' | 'aiopslab_estimate' | null;
}

/** Tallies of one agent (and task type, unless overall) summed by key (problem or repeat). */
function tallies(cells: CellTally[], agent: string, taskType: string): { n: number; solved: number; key: string }[] {
  const byKey = new Map<string, { n: number; solved: number; key: string }>();
  for (const cell of cells) {
    if (cell.agent_label !== agent || (taskType !== OVERALL && cell.task_type !== taskType)) continue;
    const entry = byKey.get(cell.key) ?? { n: 0, solved: 0, key: cell.key };
    entry.n += cell.n;
    entry.solved += cell.solved;
    byKey.set(cell.key, entry);
  }
  // Sorted by key (code-unit order, not locale) so the bootstrap sees the problems in one order whatever order SQL returned.
  return [...byKey.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function toRow(group: GroupAggregate, aggregates: RunAggregates, repeats: number, agent: RunAgent | undefined, prices: PriceTable): ResultsRow {
  const taskType = group.task_type ?? OVERALL;
  const price = agent ? priceOf(prices, agent) : null;
  const tokens = { prompt_tokens: group.prompt_tokens, completion_tokens: group.completion_tokens, in_tokens: group.in_tokens, out_tokens: group.out_tokens };
  const cost = estimateCost(price?.price ?? null, tokens);
  const byProblem = tallies(aggregates.problems, group.agent_label, taskType);
  const passK = passHatK(
    byProblem.map((p) => ({ k: p.n, c: p.solved })),
    repeats,
  );
  const repeatSpread = round(stderrOverRepeats(tallies(aggregates.repeats, group.agent_label, taskType)));
  return {
    agent_label: group.agent_label,
    task_type: taskType,
    n: group.n,
    scored: group.scored,
    solved: group.solved,
    success_rate: group.scored > 0 ? round(group.solved / group.scored) : null,
    success_rate_ci: roundInterval(clusterBootstrapRate(byProblem)),
    success_rate_stderr: repeatSpread,
    repeat_spread_stderr: repeatSpread,
    pass_hat_k: Object.fromEntries(Object.entries(passK).map(([k, v]) => [k, round(v)])),
    completed: group.completed,
    failed: group.failed,
    timed_out: group.timed_out,
    cancelled: group.cancelled,
    unfinished: group.unfinished,
    infra_errors: group.infra_errors,
    detection_accuracy: group.detection_scored > 0 ? round(group.detection_correct / group.detection_scored) : null,
    localization_accuracy: group.localization_scored > 0 ? round(group.localization_mean) : null,
    mean_ttd: round(group.mean_ttd),
    mean_ttl: round(group.mean_ttl),
    mean_tta: round(group.mean_tta),
    mean_ttm: round(group.mean_ttm),
    mean_steps: round(group.mean_steps),
    mean_in_tokens: round(group.mean_in_tokens),
    mean_out_tokens: round(group.mean_out_tokens),
    ...tokens,
    mean_duration_s: round(group.mean_duration_s),
    estimated_cost_usd: cost?.usd ?? null,
    cost_basis: cost?.basis ?? null,
  };
}

/** The rows in the run's agent order, each agent's task types alphabetically, then its overall row. */
export function buildResultsRows(aggregates: RunAggregates, agents: RunAgent[], repeats: number, prices: PriceTable): ResultsRow[] {
  const order = new Map(agents.map((a, i) => [a.label, i]));
  const rows = aggregates.groups.map((g) =>
    toRow(
      g,
      aggregates,
      repeats,
      agents.find((a) => a.label === g.agent_label),
      prices,
    ),
  );
  return rows.sort(
    (x, y) =>
      (order.get(x.agent_label) ?? 1e9) - (order.get(y.agent_label) ?? 1e9) ||
      x.agent_label.localeCompare(y.agent_label) ||
      Number(x.task_type === OVERALL) - Number(y.task_type === OVERALL) ||
      x.task_type.localeCompare(y.task_type),
  );
}

/** What each column means: returned with the table so a reader of the JSON needs no other page. */
export const RESULTS_DEFINITIONS = {
  rows: "one per agent × task type, then one per agent overall (task_type 'all'); each grid cell (problem × agent × repeat) counts once, by its latest task",
  scored: 'latest tasks that ended completed, failed or timed_out, except infrastructure errors; failed and timed-out tasks count as unsolved; cancelled and unfinished ones are not scored',
  infra_errors: "latest tasks whose outcome_class is infra_error (the cluster or harness failed, not the agent): counted in failed/timed_out, kept out of scored and of every rate; the api retries them automatically up to the run's max_infra_retries per cell",
  solved: "detection: results['Detection Accuracy'] == 'Correct'; localization, analysis, mitigation: results.success == true (completed tasks only)",
  success_rate_ci:
    '95% percentile interval of success_rate from a two-level (cluster) bootstrap: B resamples of the scored problems with replacement, then of each drawn problem\'s repeats with replacement (mulberry32 PRNG, seed stated); it treats the problems as a sample of possible problems and the repeats as a sample of the agent\'s behaviour on each',
  success_rate_stderr: 'sd of the per-repeat success rates / √repeats; null with fewer than two repeats (the spread over repeats only: it says nothing about the problems being a sample; repeat_spread_stderr is the same number)',
  repeat_spread_stderr: 'sd of the per-repeat success rates / √repeats (the spread over repeats only); null with fewer than two repeats',
  pass_hat_k: 'tau-bench pass^k for k = 1…repeats: mean over problems of C(solved, k) / C(scored, k)',
  detection_accuracy: 'Correct / scored detection tasks',
  localization_accuracy: "mean 'Localization Accuracy' (0-100) over scored localization tasks, 0 for unsolved ones",
  means: 'TTD/TTL/TTA/TTM, steps and AIOpsLab in/out tokens are means over completed tasks; mean_duration_s over scored tasks (runner run time)',
  tokens: 'prompt_tokens/completion_tokens: real usage the runner reported per step; in_tokens/out_tokens: AIOpsLab estimates',
  estimated_cost_usd: 'PRICE_TABLE price of the agent (label, else model or registry name) × tokens (real usage when reported, else AIOpsLab estimates)',
};
