import { normalQuantile, twoSidedZ } from './normal-quantile';
import { wilsonInterval } from './wilson-interval';

// Known answers: scripts/statistics-known-answers.py (Python's statistics.NormalDist and the
// quadratic Wilson solved), and Newcombe, "Two-sided confidence intervals for the single
// proportion: comparison of seven methods", Statistics in Medicine 17 (1998), method 3.
describe('Wilson score interval', () => {
  it('8 of 10 at 95% is [0.490, 0.943]', () => {
    const interval = wilsonInterval(8, 10)!;
    expect(interval).toMatchObject({ method: 'wilson', level: 0.95 });
    expect(interval.low).toBeCloseTo(0.49016247153664194, 8);
    expect(interval.high).toBeCloseTo(0.9433178485456246, 8);
  });

  it("matches Newcombe's (1998) published Wilson intervals to their four decimals", () => {
    const cases: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [solved, n, low, high] of cases) {
      const interval = wilsonInterval(solved, n)!;
      expect([interval.low, interval.high].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([low, high]);
    }
  });

  it('is not zero-width at 0/n or n/n, stays in [0, 1], and is null with nothing scored', () => {
    expect(wilsonInterval(3, 3)).toMatchObject({ high: 1 });
    expect(wilsonInterval(3, 3)!.low).toBeCloseTo(0.43849, 4);
    expect(wilsonInterval(0, 3)!.low).toBe(0);
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(4, 3)).toThrow(RangeError);
  });

  it("uses the normal quantile of Python's statistics.NormalDist", () => {
    expect(twoSidedZ(0.95)).toBeCloseTo(1.9599639845400536, 8);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});
