import { compareAgentPair } from './agent-pair-comparison';
import { pairedBootstrapDifference } from './statistics/paired-bootstrap';

const tally = (problem_id: string, agent_label: string, n: number, solved: number) => ({ problem_id, agent_label, n, solved });

describe('comparing two agents problem by problem', () => {
  it('gives the exact McNemar p of the discordant problems: 9 only by a, 1 only by b → 0.0214844', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    // p00–p08: a solves, b does not; p09: b solves, a does not; p10, p11: both solve.
    const a = ids.map((id, i) => tally(id, 'x', 1, i === 9 ? 0 : 1));
    const b = ids.map((id, i) => tally(id, 'y', 1, i >= 9 ? 1 : 0));
    const result = compareAgentPair('x', a, 'y', b);
    expect(result).toMatchObject({ agent_a: 'x', agent_b: 'y', problems: 12, solved_only_by_a: 9, solved_only_by_b: 1, mcnemar_p: 0.0214844, mcnemar_unit: 'problem' });
    expect(result).toMatchObject({ success_rate_a: 0.916667, success_rate_b: 0.25, difference: 0.666667 });
    expect(result.difference_ci).toMatchObject({ B: 2000, seed: 20260101, level: 0.95 });
    expect(result.difference_ci!.low).toBeGreaterThan(0);
    expect(result.success_rate_a_ci!.method).toBe('cluster bootstrap (problems, then repeats)');
  });

  it('pairs only problems both sides scored, lists the others, and feeds the bootstrap in problem id order', () => {
    const a = [tally('p2', 'x', 2, 2), tally('p1', 'x', 2, 1), tally('p3', 'x', 2, 0), tally('p4', 'x', 0, 0)];
    const b = [tally('p1', 'x', 2, 0), tally('p2', 'x', 2, 1), tally('p5', 'x', 1, 1), tally('p4', 'x', 2, 2)];
    const result = compareAgentPair('x', a, 'x', b);
    expect(result).toMatchObject({ problems: 2, unpaired: { a: ['p3'], b: ['p4', 'p5'] }, success_rate_a: 0.75, success_rate_b: 0.25, difference: 0.5 });
    // p1: a 1 of 2 (not a majority), b 0 → not discordant; p2: a 2 of 2, b 1 of 2 → only a
    expect(result).toMatchObject({ solved_only_by_a: 1, solved_only_by_b: 0, mcnemar_p: 1 });
    const expected = pairedBootstrapDifference([
      { a: { n: 2, solved: 1 }, b: { n: 2, solved: 0 } },
      { a: { n: 2, solved: 2 }, b: { n: 2, solved: 1 } },
    ])!;
    expect(result.difference_ci).toMatchObject({ low: Math.round(expected.low * 1e6) / 1e6, high: Math.round(expected.high * 1e6) / 1e6 });
  });

  it('has null rates, intervals and p when nothing is paired', () => {
    expect(compareAgentPair('x', [tally('p1', 'x', 1, 1)], 'y', [])).toMatchObject({ problems: 0, success_rate_a: null, success_rate_a_ci: null, difference: null, difference_ci: null, mcnemar_p: null, unpaired: { a: ['p1'], b: [] } });
  });
});
