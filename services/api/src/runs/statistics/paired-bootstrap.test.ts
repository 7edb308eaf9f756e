import { PAIRED_BOOTSTRAP_METHOD, pairedBootstrapDifference, pooledRateDifference } from './paired-bootstrap';

const tally = (n: number, solved: number) => ({ n, solved });
// The inputs of scripts/statistics-known-answers.py: per problem, (a's repeats, b's repeats).
const PAIRS = [
  { a: tally(3, 3), b: tally(2, 1) },
  { a: tally(3, 2), b: tally(3, 2) },
  { a: tally(2, 2), b: tally(3, 0) },
  { a: tally(3, 0), b: tally(3, 1) },
  { a: tally(4, 1), b: tally(4, 0) },
  { a: tally(1, 1), b: tally(1, 1) },
];

describe('paired bootstrap of a difference of success rates', () => {
  it('reproduces the independent Python computation for fixed seeds', () => {
    const byDefault = pairedBootstrapDifference(PAIRS)!;
    expect(byDefault).toMatchObject({ method: PAIRED_BOOTSTRAP_METHOD, level: 0.95, B: 2000, seed: 20260101 });
    expect(byDefault.low).toBeCloseTo(-0.17647058823529413, 12);
    expect(byDefault.high).toBeCloseTo(0.6568697478991596, 12);
    const small = pairedBootstrapDifference(PAIRS, { samples: 500, seed: 7 })!;
    expect(small.low).toBeCloseTo(-0.13367647058823526, 12);
    expect(small.high).toBeCloseTo(0.6682017543859649, 12);
  });

  it('the point estimate is the difference of the pooled rates, solved / scored on each side', () => {
    // a: 9 of 16, b: 5 of 16
    expect(pooledRateDifference(PAIRS)).toEqual({ rate_a: 0.5625, rate_b: 0.3125, difference: 0.25 });
    expect(pooledRateDifference([{ a: tally(0, 0), b: tally(1, 1) }])).toBeNull();
  });

  it('keeps the pairs together: two identical sides give exactly [0, 0]', () => {
    const same = [tally(2, 2), tally(2, 0), tally(2, 2), tally(2, 0)].map((t) => ({ a: t, b: t }));
    expect(pairedBootstrapDifference(same)).toMatchObject({ low: 0, high: 0 });
  });

  it('leaves out problems a side did not score, and is null when none is left', () => {
    expect(pairedBootstrapDifference([{ a: tally(0, 0), b: tally(2, 1) }])).toBeNull();
    expect(pairedBootstrapDifference([{ a: tally(0, 0), b: tally(2, 1) }, { a: tally(2, 2), b: tally(2, 0) }])).toMatchObject({ low: 1, high: 1 });
  });
});
