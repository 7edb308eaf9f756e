import { mcnemarExactP } from './mcnemar-exact';

// Known answers: the exact two-sided binomial test with p = ½, recomputed with math.comb in
// scripts/statistics-known-answers.py.
describe('exact McNemar test', () => {
  it('b = 1, c = 9 gives the textbook two-sided p = 22/1024 = 0.0215', () => {
    expect(mcnemarExactP(1, 9)).toBeCloseTo(0.021484375, 12);
    expect(mcnemarExactP(9, 1)).toBeCloseTo(0.021484375, 12);
  });

  it('is 1 for balanced discordance, 2/2^n when one side wins every discordant pair, null with none', () => {
    expect(mcnemarExactP(3, 3)).toBe(1);
    expect(mcnemarExactP(0, 5)).toBeCloseTo(0.0625, 12);
    expect(mcnemarExactP(0, 1)).toBe(1);
    expect(mcnemarExactP(0, 0)).toBeNull();
  });

  it('stays finite and exact enough for a thousand discordant pairs', () => {
    const p = mcnemarExactP(500, 500)!;
    expect(p).toBe(1);
    expect(mcnemarExactP(400, 600)!).toBeGreaterThan(0);
    expect(mcnemarExactP(400, 600)!).toBeLessThan(1e-9);
    expect(() => mcnemarExactP(1.5, 2)).toThrow(RangeError);
  });
});
