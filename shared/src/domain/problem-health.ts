/**
 * Problem health (pure): which problems a reader can trust a score on. Computed from tallies of
 * every finished task of a problem, per agent config (shared/src/tables/problem-health.ts):
 *
 * - `do_nothing_passes`: the reference do_nothing agent (no action, the empty answer) solved the
 *   problem at least once: its grader passes an agent that fixed and found nothing, a grader
 *   defect. The `noop_*` detection problems have no fault, so "No" is their right answer: there
 *   it is expected and reported as a note, not a flag.
 * - `setup_unreliable`: tasks failed before setup completed (an infra error before the agent got
 *   the problem) at more than SETUP_FAILURE_RATE_LIMIT of the finished tasks, at least
 *   SETUP_FAILURE_MIN times: the problem's deployment, not an agent, decides those scores.
 * - `flaky`: one deterministic agent (reference or scripted: the same replies every time) was
 *   both solved and unsolved across repeats: the outcome depends on the environment, not on the
 *   agent. Stochastic agents (LLMs) vary by design; they are counted in `varying_agents` only.
 */
export const SETUP_FAILURE_RATE_LIMIT = 0.2;
export const SETUP_FAILURE_MIN = 2;
export const HEALTH_FLAGS = ['do_nothing_passes', 'setup_unreliable', 'flaky'] as const;
export type HealthFlag = (typeof HEALTH_FLAGS)[number];

/** One (problem, agent config) group of finished tasks, as the SQL counts it. */
export interface AgentTally {
  problem_id: string;
  task_type: string | null;
  /** agent_config.kind, and agent_config.name for registry and reference agents. */
  agent_kind: string;
  agent_name: string | null;
  /** The same replies every time (reference, scripted). */
  deterministic: boolean;
  /** completed, failed or timed_out. */
  finished: number;
  /** Finished and not an infra error: the agent's score. */
  scored: number;
  solved: number;
  /** Infra errors before setup completed. */
  setup_failures: number;
  /** result.durations.setup_s of the tasks that got through setup. */
  setup_s: number[];
}

export interface ProblemHealth {
  problem_id: string;
  task_type: string | null;
  flags: HealthFlag[];
  notes: string[];
  finished: number;
  do_nothing: { scored: number; solved: number };
  constant_yes: { scored: number; solved: number };
  setup_failures: number;
  setup_failure_rate: number | null;
  setup_s: { n: number; p50: number | null; p95: number | null };
  /** Deterministic agent configs scored at least twice / of those, with both outcomes. */
  deterministic_agents: number;
  flaky_agents: number;
  /** Any agent config scored at least twice with both outcomes (LLM agents included). */
  varying_agents: number;
}

/** The q-quantile (0..1) by linear interpolation between closest ranks (R type 7, numpy's default); null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** A noop_* problem has no fault injected: the do-nothing answer is right there (the expected exception). */
export const isNoFaultProblem = (problemId: string) => problemId.startsWith('noop_');

const varies = (t: AgentTally) => t.scored >= 2 && t.solved > 0 && t.solved < t.scored;
const tallyOf = (tallies: AgentTally[]) => ({ scored: tallies.reduce((s, t) => s + t.scored, 0), solved: tallies.reduce((s, t) => s + t.solved, 0) });
const round = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

function healthOf(problemId: string, tallies: AgentTally[]): ProblemHealth {
  const reference = (name: string) => tallies.filter((t) => t.agent_kind === 'reference' && t.agent_name === name);
  const doNothing = tallyOf(reference('do_nothing'));
  const finished = tallies.reduce((s, t) => s + t.finished, 0);
  const setupFailures = tallies.reduce((s, t) => s + t.setup_failures, 0);
  const setupRate = finished > 0 ? setupFailures / finished : null;
  const setupTimes = tallies.flatMap((t) => t.setup_s);
  const deterministic = tallies.filter((t) => t.deterministic && t.scored >= 2);
  const flaky = deterministic.filter(varies);
  const flags: HealthFlag[] = [];
  const notes: string[] = [];
  if (doNothing.solved > 0) {
    if (isNoFaultProblem(problemId)) notes.push('no fault is injected: the do-nothing answer is right here, as expected');
    else flags.push('do_nothing_passes');
  }
  if (setupRate !== null && setupRate > SETUP_FAILURE_RATE_LIMIT && setupFailures >= SETUP_FAILURE_MIN) flags.push('setup_unreliable');
  if (flaky.length > 0) flags.push('flaky');
  return {
    problem_id: problemId,
    task_type: tallies.find((t) => t.task_type)?.task_type ?? null,
    flags,
    notes,
    finished,
    do_nothing: doNothing,
    constant_yes: tallyOf(reference('constant_yes')),
    setup_failures: setupFailures,
    setup_failure_rate: round(setupRate),
    setup_s: { n: setupTimes.length, p50: round(quantile(setupTimes, 0.5)), p95: round(quantile(setupTimes, 0.95)) },
    deterministic_agents: deterministic.length,
    flaky_agents: flaky.length,
    varying_agents: tallies.filter(varies).length,
  };
}

/** Health of every problem with finished tasks, plus catalog problems without any (all counts 0, no flags), by id. */
export function problemHealth(tallies: AgentTally[], catalog: { id: string; task_type: string | null }[] = []): ProblemHealth[] {
  const byProblem = new Map<string, AgentTally[]>();
  for (const tally of tallies) byProblem.set(tally.problem_id, [...(byProblem.get(tally.problem_id) ?? []), tally]);
  const entries = [...byProblem].map(([id, group]) => healthOf(id, group));
  for (const problem of catalog) {
    if (!byProblem.has(problem.id)) entries.push({ ...healthOf(problem.id, []), task_type: problem.task_type });
  }
  return entries.sort((a, b) => a.problem_id.localeCompare(b.problem_id));
}

/** The ids of flagged problems. */
export const flaggedProblemIds = (health: ProblemHealth[]) => new Set(health.filter((h) => h.flags.length > 0).map((h) => h.problem_id));
