import { BootstrapOptions, DEFAULT_BOOTSTRAP_SAMPLES, DEFAULT_BOOTSTRAP_SEED, percentileInterval, RepeatTally, resampledSuccesses } from './bootstrap-resampling';
import type { BootstrapInterval } from './cluster-bootstrap';
import { drawIndex, mulberry32 } from './seeded-random';

export const PAIRED_BOOTSTRAP_METHOD = 'paired cluster bootstrap (problems with both sides, then each side’s repeats)';

/** One problem seen by both sides of a comparison: each side's scored repeats. */
export interface PairedProblem {
  a: RepeatTally;
  b: RepeatTally;
}

/** Problems both sides scored. */
const bothScored = (pairs: PairedProblem[]) => pairs.filter((p) => p.a.n > 0 && p.b.n > 0);

/**
 * rate_a − rate_b over the problems both sides scored, each rate solved / scored as in the
 * results table (so with equal repeats it is also the mean per-problem difference).
 */
export function pooledRateDifference(pairs: PairedProblem[]): { rate_a: number; rate_b: number; difference: number } | null {
  const usable = bothScored(pairs);
  if (usable.length === 0) return null;
  const sum = (side: 'a' | 'b', key: 'n' | 'solved') => usable.reduce((total, p) => total + p[side][key], 0);
  const rateA = sum('a', 'solved') / sum('a', 'n');
  const rateB = sum('b', 'solved') / sum('b', 'n');
  return { rate_a: rateA, rate_b: rateB, difference: rateA - rateB };
}

/**
 * A percentile interval for the paired difference of two success rates over the same problems
 * (the paired bootstrap: resample the pairing unit, keep its two sides together; Efron &
 * Tibshirani 1993, ch. 13 and §9.2 on resampling pairs; two-stage as in Davison & Hinkley 1997,
 * §3.8). Each of B resamples draws P problems with replacement (both sides of a drawn problem
 * come together, so what the problem does to both agents cancels), then redraws each side's
 * repeats with replacement; the statistic is the resample's pooledRateDifference.
 * Problems either side did not score are left out; null when none is left. Draw order: problem
 * index, a's repeats, b's repeats (scripts/statistics-known-answers.py reproduces it).
 */
export function pairedBootstrapDifference(pairs: PairedProblem[], options: BootstrapOptions = {}): BootstrapInterval | null {
  const samples = options.samples ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const level = options.level ?? 0.95;
  const usable = bothScored(pairs);
  if (usable.length === 0) return null;
  const random = mulberry32(seed);
  const replicates: number[] = new Array(samples);
  for (let b = 0; b < samples; b++) {
    let solvedA = 0;
    let totalA = 0;
    let solvedB = 0;
    let totalB = 0;
    for (let i = 0; i < usable.length; i++) {
      const pair = usable[drawIndex(random, usable.length)];
      solvedA += resampledSuccesses(random, pair.a);
      totalA += pair.a.n;
      solvedB += resampledSuccesses(random, pair.b);
      totalB += pair.b.n;
    }
    replicates[b] = solvedA / totalA - solvedB / totalB;
  }
  return { ...percentileInterval(replicates, level), method: PAIRED_BOOTSTRAP_METHOD, level, B: samples, seed };
}
