import { drawIndex } from './seeded-random';

/** Scored repeats of one problem (or one problem × agent cell) and how many were solved. */
export interface RepeatTally {
  n: number;
  solved: number;
}

/** The bootstrap's defaults, stated in every interval it returns. */
export const DEFAULT_BOOTSTRAP_SAMPLES = 2000;
export const DEFAULT_BOOTSTRAP_SEED = 20260101;

export interface BootstrapOptions {
  /** B, the number of bootstrap resamples. */
  samples?: number;
  /** The mulberry32 seed. */
  seed?: number;
  level?: number;
}

/**
 * Successes among n repeats drawn with replacement from a problem's repeats (the second level of
 * the bootstrap): each draw picks repeat i in [0, n); repeats [0, solved) are the solved ones.
 */
export function resampledSuccesses(random: () => number, tally: RepeatTally): number {
  let successes = 0;
  for (let r = 0; r < tally.n; r++) if (drawIndex(random, tally.n) < tally.solved) successes++;
  return successes;
}

/**
 * The q-quantile of sorted values by linear interpolation between order statistics (Hyndman &
 * Fan 1996, definition 7; R's and NumPy's default): h = (N − 1)q.
 */
export function quantileOfSorted(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
}

/** The percentile interval (Efron & Tibshirani 1993, ch. 13) of bootstrap replicates at a level. */
export function percentileInterval(replicates: number[], level: number): { low: number; high: number } {
  const sorted = [...replicates].sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return { low: quantileOfSorted(sorted, tail), high: quantileOfSorted(sorted, 1 - tail) };
}
