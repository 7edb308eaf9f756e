import type { PastTaskMeans } from '@aiopslab/shared/tables/tasks-estimates';
import type { RunProblem } from '@aiopslab/shared/tables/runs';
import { estimateCost, PriceTable, priceOf } from './price-table';

/** What POST /runs?dry_run=true answers: the grid and what it is expected to cost. */
export interface RunEstimate {
  dry_run: true;
  task_count: number;
  problem_count: number;
  agent_count: number;
  repeats: number;
  needs_confirm: boolean;
  confirm_limit: number;
  estimate: {
    prompt_tokens: number | null;
    completion_tokens: number | null;
    cost_usd: number | null;
    /** Sum of the tasks' expected run times; wall time is this over the number of workers. */
    task_seconds: number | null;
    /** Cells estimated from past tasks of the same problem × agent config, of the agent config on other problems, or not at all. */
    cells_by_basis: { same_problem_and_agent: number; same_agent_other_problems: number; no_history: number };
    /** How many past finished tasks the estimate reads. */
    based_on_tasks: number;
    note: string;
  };
}

const key = (config: unknown) => JSON.stringify(config);

/**
 * Estimates a run (pure) from past finished tasks: per cell the means of the same problem × agent
 * config; else of the same agent config over every problem; else nothing (the cell adds no tokens).
 * Cost uses the price of each agent (its label, model or registry name).
 */
export function estimateRun(problems: RunProblem[], agents: { label: string; agent_config: Record<string, unknown> }[], repeats: number, past: PastTaskMeans[], prices: PriceTable, confirmLimit: number): RunEstimate {
  const perProblem = new Map(past.filter((m) => m.problem_id !== null).map((m) => [`${m.problem_id}|${key(m.agent_config)}`, m]));
  const perAgent = new Map(past.filter((m) => m.problem_id === null).map((m) => [key(m.agent_config), m]));
  const basis = { same_problem_and_agent: 0, same_agent_other_problems: 0, no_history: 0 };
  const total = { prompt: 0, completion: 0, seconds: 0, usd: 0, priced: false, known: false };
  for (const agent of agents) {
    const price = priceOf(prices, agent)?.price ?? null;
    for (const problem of problems) {
      const exact = perProblem.get(`${problem.problem_id}|${key(agent.agent_config)}`);
      const means = exact ?? perAgent.get(key(agent.agent_config));
      if (!means) {
        basis.no_history += repeats;
        continue;
      }
      basis[exact ? 'same_problem_and_agent' : 'same_agent_other_problems'] += repeats;
      const tokens = { prompt_tokens: (means.prompt_tokens ?? 0) * repeats, completion_tokens: (means.completion_tokens ?? 0) * repeats, in_tokens: (means.in_tokens ?? 0) * repeats, out_tokens: (means.out_tokens ?? 0) * repeats };
      total.known = true;
      total.prompt += tokens.prompt_tokens || tokens.in_tokens;
      total.completion += tokens.completion_tokens || tokens.out_tokens;
      total.seconds += (means.duration_s ?? 0) * repeats;
      const cost = estimateCost(price, tokens);
      if (cost) {
        total.usd += cost.usd;
        total.priced = true;
      }
    }
  }
  const taskCount = problems.length * agents.length * repeats;
  const round = (n: number, digits = 6) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    dry_run: true,
    task_count: taskCount,
    problem_count: problems.length,
    agent_count: agents.length,
    repeats,
    needs_confirm: taskCount > confirmLimit,
    confirm_limit: confirmLimit,
    estimate: {
      prompt_tokens: total.known ? Math.round(total.prompt) : null,
      completion_tokens: total.known ? Math.round(total.completion) : null,
      cost_usd: total.priced ? round(total.usd) : null,
      task_seconds: total.known ? round(total.seconds, 1) : null,
      cells_by_basis: basis,
      based_on_tasks: past.filter((m) => m.problem_id === null).reduce((n, m) => n + m.tasks, 0),
      note: 'means of past finished tasks of the same problem × agent config, else of the agent config on any problem; cells with no history add nothing; cost is null when no agent has a price (PRICE_TABLE)',
    },
  };
}
