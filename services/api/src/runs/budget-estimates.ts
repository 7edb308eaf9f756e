import type { PastTaskMeans } from '@aiopslab/shared/tables/tasks-estimates';
import type { RunAgent } from '@aiopslab/shared/tables/runs';
import type { RunTaskCell } from '@aiopslab/shared/tables/runs-reconcile';
import type { CellRef } from './budget-plan';
import { estimateCost, PriceTable, priceOf, TokenTotals } from './price-table';

/**
 * What a budgeted run has spent and what its next task is expected to cost (pure), from the
 * price table: an ended task costs its tokens at its agent's price (real usage when reported,
 * else AIOpsLab's estimates), as GET /runs/{id} shows. An agent without a price costs nothing
 * here, as its cost columns show null: a budget guards priced agents only.
 */
const tokensOf = (c: TokenTotals): TokenTotals => ({ prompt_tokens: Number(c.prompt_tokens), completion_tokens: Number(c.completion_tokens), in_tokens: Number(c.in_tokens), out_tokens: Number(c.out_tokens) });

function agentPrices(agents: RunAgent[], prices: PriceTable) {
  return new Map(agents.map((a) => [a.label, priceOf(prices, a)?.price ?? null]));
}

/** USD of the run's ended tasks (every attempt: money spent on a replaced task is spent). */
export function spentUsd(cells: RunTaskCell[], agents: RunAgent[], prices: PriceTable): number {
  const price = agentPrices(agents, prices);
  let usd = 0;
  for (const cell of cells) if (!cell.in_flight) usd += estimateCost(price.get(cell.agent_label) ?? null, tokensOf(cell))?.usd ?? 0;
  return usd;
}

const configKey = (config: unknown) => JSON.stringify(config);

/**
 * The estimated USD of one more task of a cell: the mean cost of its agent's ended tasks in this
 * run; else the means of past finished tasks of the same problem × agent config, else of the
 * agent config on any problem (as POST /runs?dry_run=true); else null (unknown: a probe). 0 for
 * an agent without a price.
 */
export function cellEstimator(cells: RunTaskCell[], agents: RunAgent[], past: PastTaskMeans[], prices: PriceTable): (cell: CellRef) => number | null {
  const price = agentPrices(agents, prices);
  const config = new Map(agents.map((a) => [a.label, configKey(a.agent_config)]));
  const observed = new Map<string, { usd: number; n: number }>();
  for (const cell of cells) {
    if (cell.in_flight) continue;
    const entry = observed.get(cell.agent_label) ?? { usd: 0, n: 0 };
    entry.usd += estimateCost(price.get(cell.agent_label) ?? null, tokensOf(cell))?.usd ?? 0;
    entry.n++;
    observed.set(cell.agent_label, entry);
  }
  const perProblem = new Map(past.filter((m) => m.problem_id !== null).map((m) => [`${m.problem_id}|${configKey(m.agent_config)}`, m]));
  const perAgent = new Map(past.filter((m) => m.problem_id === null).map((m) => [configKey(m.agent_config), m]));
  return (cell) => {
    const agentPrice = price.get(cell.agent_label) ?? null;
    if (!agentPrice) return 0;
    const seen = observed.get(cell.agent_label);
    if (seen && seen.n > 0) return seen.usd / seen.n;
    const key = config.get(cell.agent_label) ?? '';
    const means = perProblem.get(`${cell.problem_id}|${key}`) ?? perAgent.get(key);
    if (!means) return null;
    const tokens = { prompt_tokens: means.prompt_tokens ?? 0, completion_tokens: means.completion_tokens ?? 0, in_tokens: means.in_tokens ?? 0, out_tokens: means.out_tokens ?? 0 };
    return estimateCost(agentPrice, tokens)?.usd ?? null;
  };
}
