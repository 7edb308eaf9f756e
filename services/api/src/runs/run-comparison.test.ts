import { ValidationError } from '@aiopslab/shared/errors/app-error';
import { compareTallies, pairingOf } from './run-comparison';

const tally = (problem_id: string, agent_label: string, n: number, solved: number) => ({ problem_id, agent_label, n, solved });

describe('run comparison', () => {
  it('pairs by problem and shared agent labels, else by problem for two single-agent runs, else refuses', () => {
    expect(pairingOf(['gpt', 'qwen'], ['qwen', 'llama'])).toEqual({ pairing: 'problem_and_agent', labels: ['qwen'] });
    expect(pairingOf(['gpt'], ['qwen'])).toEqual({ pairing: 'problem', labels: [] });
    expect(() => pairingOf(['gpt', 'x'], ['qwen'])).toThrow(ValidationError);
  });

  it('gives the paired difference with its standard error and the problems only one run solved', () => {
    const a = [tally('p1', 'gpt', 2, 2), tally('p2', 'gpt', 2, 2), tally('p3', 'gpt', 2, 0), tally('p4', 'gpt', 2, 1), tally('p5', 'gpt', 1, 1), tally('p1', 'other', 2, 2)];
    const b = [tally('p1', 'gpt', 2, 0), tally('p2', 'gpt', 2, 2), tally('p3', 'gpt', 2, 2), tally('p4', 'gpt', 2, 1), tally('p6', 'gpt', 1, 1)];
    const result = compareTallies(a, b, pairingOf(['gpt', 'other'], ['gpt']));
    // rates a: 1, 1, 0, .5; b: 0, 1, 1, .5 → differences 1, 0, -1, 0: mean 0, sd √(2/3), stderr √(2/3)/2
    expect(result).toMatchObject({ pairing: 'problem_and_agent', pairs: 4, success_rate_a: 0.625, success_rate_b: 0.625, difference: 0, unpaired: { a: 1, b: 1 } });
    expect(result.difference_stderr).toBeCloseTo(Math.sqrt(2 / 3) / 2, 6);
    expect(result.solved_only_by_a).toEqual([{ problem_id: 'p1', agent_label: 'gpt', success_rate_a: 1, success_rate_b: 0 }]);
    expect(result.solved_only_by_b.map((p) => p.problem_id)).toEqual(['p3']);
  });

  it('pairs two single-agent runs by problem regardless of their labels', () => {
    const result = compareTallies([tally('p1', 'x', 1, 1), tally('p2', 'x', 1, 1)], [tally('p1', 'y', 1, 0), tally('p2', 'y', 1, 1)], pairingOf(['x'], ['y']));
    expect(result).toMatchObject({ pairing: 'problem', pairs: 2, difference: 0.5, solved_only_by_a: [{ problem_id: 'p1', agent_label: null }] });
  });
});
