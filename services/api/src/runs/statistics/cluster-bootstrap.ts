import { BootstrapOptions, DEFAULT_BOOTSTRAP_SAMPLES, DEFAULT_BOOTSTRAP_SEED, percentileInterval, RepeatTally, resampledSuccesses } from './bootstrap-resampling';
import { drawIndex, mulberry32 } from './seeded-random';

export const CLUSTER_BOOTSTRAP_METHOD = 'cluster bootstrap (problems, then repeats)';

/** A bootstrap interval with everything needed to reproduce it. */
export interface BootstrapInterval {
  low: number;
  high: number;
  method: string;
  level: number;
  /** B, the number of resamples. */
  B: number;
  seed: number;
}

/**
 * A percentile interval for a success rate (total solved / total scored) whose tasks are
 * repeats nested in problems: the two-stage (cluster) bootstrap of Davison & Hinkley,
 * Bootstrap Methods and their Application (1997), §3.8, with percentile limits (Efron &
 * Tibshirani, An Introduction to the Bootstrap, 1993, ch. 13). Each of B resamples draws P
 * problems with replacement from the P scored problems, then, in each drawn problem, its n
 * repeats with replacement; the statistic is the resample's solved / scored. The problems are
 * treated as a sample of the problems one could have chosen, the repeats as a sample of the
 * agent's behaviour on each. Problems with nothing scored are left out; null when none is left.
 * The order of random draws is fixed (problem index, then its repeats, problem by problem) so
 * scripts/statistics-known-answers.py reproduces the numbers exactly.
 */
export function clusterBootstrapRate(problems: RepeatTally[], options: BootstrapOptions = {}): BootstrapInterval | null {
  const samples = options.samples ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const level = options.level ?? 0.95;
  const scored = problems.filter((p) => p.n > 0);
  if (scored.length === 0) return null;
  const random = mulberry32(seed);
  const replicates: number[] = new Array(samples);
  for (let b = 0; b < samples; b++) {
    let solved = 0;
    let total = 0;
    for (let i = 0; i < scored.length; i++) {
      const problem = scored[drawIndex(random, scored.length)];
      solved += resampledSuccesses(random, problem);
      total += problem.n;
    }
    replicates[b] = solved / total;
  }
  return { ...percentileInterval(replicates, level), method: CLUSTER_BOOTSTRAP_METHOD, level, B: samples, seed };
}
