import { choose, pairedDifference, passHatK, sampleSd, stderrOverRepeats } from './run-statistics';

describe('run statistics', () => {
  it('standard error over repeats is the sd of the per-repeat rates over √repeats', () => {
    // rates 0.5, 1.0, 0.75 → mean 0.75, sd 0.25, stderr 0.25/√3
    expect(stderrOverRepeats([{ n: 4, solved: 2 }, { n: 4, solved: 4 }, { n: 4, solved: 3 }])).toBeCloseTo(0.25 / Math.sqrt(3), 12);
    expect(stderrOverRepeats([{ n: 4, solved: 2 }])).toBeNull();
    expect(stderrOverRepeats([{ n: 4, solved: 2 }, { n: 0, solved: 0 }])).toBeNull();
    expect(stderrOverRepeats([{ n: 2, solved: 1 }, { n: 2, solved: 1 }])).toBe(0);
  });

  it('sample sd uses n − 1', () => {
    expect(sampleSd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(sampleSd([7])).toBeNull();
  });

  it('choose is the binomial coefficient', () => {
    expect([choose(5, 0), choose(5, 2), choose(5, 5), choose(3, 4), choose(28, 14)]).toEqual([1, 10, 1, 0, 40116600]);
  });

  it('pass^k follows tau-bench: C(c, k) / C(n, k) averaged over problems', () => {
    // problem A: 3 of 3, problem B: 2 of 3, problem C: 0 of 3
    const result = passHatK([{ k: 3, c: 3 }, { k: 3, c: 2 }, { k: 3, c: 0 }], 3);
    expect(result['1']).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
    expect(result['2']).toBeCloseTo((1 + 1 / 3 + 0) / 3, 12);
    expect(result['3']).toBeCloseTo(1 / 3, 12); // only A succeeded every time
  });

  it('pass^k counts only problems with at least k scored repeats, and is null when none has', () => {
    const result = passHatK([{ k: 1, c: 1 }, { k: 2, c: 0 }], 3);
    expect(result).toEqual({ '1': 0.5, '2': 0, '3': null });
  });

  it('the paired difference has the sd of the differences over √pairs as its standard error', () => {
    const d = pairedDifference([{ a: 1, b: 0 }, { a: 1, b: 1 }, { a: 0, b: 0 }, { a: 1, b: 0 }]);
    // differences 1, 0, 0, 1 → mean 0.5, sd √(1/3), stderr √(1/3)/2
    expect(d).toMatchObject({ pairs: 4, rate_a: 0.75, rate_b: 0.25, difference: 0.5 });
    expect(d.stderr).toBeCloseTo(Math.sqrt(1 / 3) / 2, 12);
    expect(d.ci95![0]).toBeCloseTo(0.5 - 1.96 * d.stderr!, 12);
    expect(pairedDifference([])).toMatchObject({ pairs: 0, difference: null, stderr: null });
    expect(pairedDifference([{ a: 1, b: 0 }]).stderr).toBeNull();
  });
});
