import { runBOf, selectComparison } from './comparison-selection';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { details: { field: string }[] }).details[0].field;
  }
  throw new Error('expected a validation error');
};

describe('what a comparison pairs', () => {
  it('pairs every shared label with itself, or the two agents of single-agent runs', () => {
    expect(selectComparison({ a: 'r1', b: 'r2' }, ['gpt', 'qwen'], ['qwen', 'gpt', 'llama'])).toEqual({ pairing: 'problem_and_agent', labels: ['gpt', 'qwen'], agentPairs: [{ agent_a: 'gpt', agent_b: 'gpt' }, { agent_a: 'qwen', agent_b: 'qwen' }] });
    expect(selectComparison({ a: 'r1', b: 'r2' }, ['x'], ['y'])).toEqual({ pairing: 'problem', labels: [], agentPairs: [{ agent_a: 'x', agent_b: 'y' }] });
  });

  it('compares two named agents, within one run when b is omitted', () => {
    expect(runBOf({ a: 'r1', agent_a: 'x', agent_b: 'y' })).toBe('r1');
    expect(runBOf({ a: 'r1', b: 'r2' })).toBe('r2');
    expect(selectComparison({ a: 'r1', agent_a: 'x', agent_b: 'y' }, ['x', 'y'], ['x', 'y'])).toEqual({ pairing: 'agents', labels: [], agentPairs: [{ agent_a: 'x', agent_b: 'y' }] });
    expect(selectComparison({ a: 'r1', b: 'r2', agent_a: 'x', agent_b: 'x' }, ['x'], ['x']).pairing).toBe('agents');
  });

  it('refuses, naming the field: no b and no agents, one agent without the other, an unknown label, an agent against itself', () => {
    expect(fieldOf(() => runBOf({ a: 'r1' }))).toBe('b');
    expect(fieldOf(() => selectComparison({ a: 'r1', agent_a: 'x' }, ['x'], ['x']))).toBe('agent_b');
    expect(fieldOf(() => selectComparison({ a: 'r1', agent_a: 'x', agent_b: 'z' }, ['x', 'y'], ['x', 'y']))).toBe('agent_b');
    expect(fieldOf(() => selectComparison({ a: 'r1', agent_a: 'x', agent_b: 'x' }, ['x', 'y'], ['x', 'y']))).toBe('agent_b');
    expect(fieldOf(() => selectComparison({ a: 'r1', b: 'r2' }, ['x', 'y'], ['z']))).toBe('b');
  });
});
