import { quantileOfSorted } from './bootstrap-resampling';
import { CLUSTER_BOOTSTRAP_METHOD, clusterBootstrapRate } from './cluster-bootstrap';

// (scored repeats, solved) per problem: the inputs of scripts/statistics-known-answers.py.
const RUN = [
  { n: 3, solved: 3 },
  { n: 3, solved: 2 },
  { n: 2, solved: 1 },
  { n: 3, solved: 0 },
  { n: 4, solved: 4 },
  { n: 3, solved: 1 },
  { n: 1, solved: 0 },
];

describe('cluster bootstrap of a success rate (problems, then repeats)', () => {
  it('reproduces the independent Python computation for fixed seeds', () => {
    // python3 scripts/statistics-known-answers.py: B=2000 seed=20260101 → (0.2222…, 0.8888…); B=500 seed=7 → (0.22843…, 0.86366…)
    const byDefault = clusterBootstrapRate(RUN)!;
    expect(byDefault).toEqual({ low: expect.any(Number), high: expect.any(Number), method: CLUSTER_BOOTSTRAP_METHOD, level: 0.95, B: 2000, seed: 20260101 });
    expect(byDefault.low).toBeCloseTo(0.2222222222222222, 12);
    expect(byDefault.high).toBeCloseTo(0.8888888888888888, 12);
    const small = clusterBootstrapRate(RUN, { samples: 500, seed: 7 })!;
    expect(small.low).toBeCloseTo(0.22843137254901974, 12);
    expect(small.high).toBeCloseTo(0.8636645962732916, 12);
  });

  it('gives a deterministic agent over 6 problems a non-zero-width interval (problems are a sample)', () => {
    const deterministic = [2, 2, 2, 0, 0, 0].map((solved) => ({ n: 2, solved }));
    const interval = clusterBootstrapRate(deterministic)!;
    expect(interval.high - interval.low).toBeGreaterThan(0.3);
    expect(interval.low).toBeLessThan(0.5);
    expect(interval.high).toBeGreaterThan(0.5);
  });

  it('is [1, 1] when every repeat of every problem was solved, [0, 0] when none was, null with nothing scored', () => {
    expect(clusterBootstrapRate([{ n: 3, solved: 3 }, { n: 2, solved: 2 }])).toMatchObject({ low: 1, high: 1 });
    expect(clusterBootstrapRate([{ n: 3, solved: 0 }])).toMatchObject({ low: 0, high: 0 });
    expect(clusterBootstrapRate([{ n: 0, solved: 0 }])).toBeNull();
    expect(clusterBootstrapRate([])).toBeNull();
  });

  it('is the same for the same seed and differs for another', () => {
    expect(clusterBootstrapRate(RUN, { seed: 3 })).toEqual(clusterBootstrapRate(RUN, { seed: 3 }));
    expect(clusterBootstrapRate(RUN, { seed: 3, samples: 300 })).not.toEqual(clusterBootstrapRate(RUN, { seed: 4, samples: 300 }));
  });

  it('takes quantiles by linear interpolation (Hyndman & Fan type 7)', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileOfSorted([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
    expect(quantileOfSorted([7], 0.975)).toBe(7);
  });
});
