import { ValidationError } from '@aiopslab/shared/errors/app-error';
import { Pairing, pairingOf } from './run-comparison';

/** GET /runs/compare's query: two runs, or one run (b omitted) with two of its agents. */
export interface ComparisonQuery {
  a: string;
  b?: string;
  agent_a?: string;
  agent_b?: string;
}

/** One agent of a against one agent of b (the same label across runs, or two chosen agents). */
export interface AgentPair {
  agent_a: string;
  agent_b: string;
}

export interface ComparisonSelection {
  /** 'agents': agent_a of run a against agent_b of run b (or of run a itself), paired by problem. */
  pairing: Pairing | 'agents';
  /** The labels both runs have (problem_and_agent), else []. */
  labels: string[];
  agentPairs: AgentPair[];
}

const refuse = (field: string, message: string, fix: string) => new ValidationError(message, [{ field, rule: 'comparable', message: fix }]);

function checkAgentsTogether(query: ComparisonQuery): void {
  if ((query.agent_a === undefined) === (query.agent_b === undefined)) return;
  const missing = query.agent_a === undefined ? 'agent_a' : 'agent_b';
  throw refuse(missing, `${missing} is missing: agent_a and agent_b go together`, 'give both agent_a and agent_b (the agent of run a and the agent of run b, or two agents of one run), or neither');
}

/** Which run b is: the given one, or run a itself when two of its agents are compared. */
export function runBOf(query: ComparisonQuery): string {
  checkAgentsTogether(query);
  if (query.b !== undefined) return query.b;
  if (query.agent_a !== undefined && query.agent_b !== undefined) return query.a;
  throw refuse('b', 'b is missing: there is nothing to compare run a with', 'give b (a second run_id) to compare two runs, or agent_a and agent_b to compare two agents of run a');
}

function checkAgent(field: 'agent_a' | 'agent_b', label: string, labels: string[], run: 'a' | 'b'): void {
  if (!labels.includes(label)) throw refuse(field, `run ${run} has no agent "${label}"`, `use one of run ${run}'s agent labels: ${labels.join(', ')}`);
}

/**
 * What is paired with what (pure). With agent_a and agent_b: those two agents, problem by problem.
 * Without: every label both runs have, each with itself (and, when the runs share no label and
 * each has one agent, those two agents); run-comparison.ts's pairingOf has that rule.
 */
export function selectComparison(query: ComparisonQuery, labelsA: string[], labelsB: string[]): ComparisonSelection {
  const { agent_a: agentA, agent_b: agentB } = query;
  checkAgentsTogether(query);
  if (agentA !== undefined && agentB !== undefined) {
    checkAgent('agent_a', agentA, labelsA, 'a');
    checkAgent('agent_b', agentB, labelsB, 'b');
    if ((query.b === undefined || query.b === query.a) && agentA === agentB) {
      throw refuse('agent_b', `agent_a and agent_b are both "${agentA}" of the same run`, 'name two different agents of the run, or give b to compare this agent across two runs');
    }
    return { pairing: 'agents', labels: [], agentPairs: [{ agent_a: agentA, agent_b: agentB }] };
  }
  const pairing = pairingOf(labelsA, labelsB);
  const agentPairs = pairing.pairing === 'problem' ? [{ agent_a: labelsA[0], agent_b: labelsB[0] }] : pairing.labels.map((label) => ({ agent_a: label, agent_b: label }));
  return { ...pairing, agentPairs };
}
