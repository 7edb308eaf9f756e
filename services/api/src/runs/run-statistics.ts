/**
 * The statistics of the results table and of run comparison (pure, unit-tested):
 * standard error over repeats, tau-bench's pass^k, and a paired difference of success rates.
 */

export interface Tally {
  /** Scored tasks (completed, failed or timed out). */
  n: number;
  solved: number;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Sample standard deviation (n − 1); null below two values. */
export function sampleSd(values: number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

/**
 * Standard error of the success rate over repeats: each repeat's rate (over its scored tasks),
 * then sd(rates) / √(number of repeats). Null with fewer than two scored repeats.
 */
export function stderrOverRepeats(repeats: Tally[]): number | null {
  const rates = repeats.filter((r) => r.n > 0).map((r) => r.solved / r.n);
  const sd = sampleSd(rates);
  return sd === null ? null : sd / Math.sqrt(rates.length);
}

/** Binomial coefficient C(n, k) as a float (exact enough for n ≤ 1000). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) result = (result * (n - i + 1)) / i;
  return result;
}

/**
 * tau-bench's pass^k for k = 1 … maxK: for each problem with k_p scored repeats of which c_p
 * succeeded, the chance that k repeats drawn from them all succeed, C(c_p, k) / C(k_p, k);
 * averaged over the problems with k_p ≥ k (null when none has). pass^1 is the success rate
 * averaged per problem; with k = k_p it is the fraction of problems solved in every repeat.
 */
export function passHatK(problems: { k: number; c: number }[], maxK: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (let k = 1; k <= maxK; k++) {
    const eligible = problems.filter((p) => p.k >= k);
    out[String(k)] = eligible.length === 0 ? null : mean(eligible.map((p) => choose(p.c, k) / choose(p.k, k)));
  }
  return out;
}

export interface PairedDifference {
  pairs: number;
  rate_a: number | null;
  rate_b: number | null;
  /** rate_a − rate_b over the paired problems. */
  difference: number | null;
  /** sd of the per-pair differences / √pairs; null below two pairs. */
  stderr: number | null;
  /** difference ± 1.96 stderr. */
  ci95: [number, number] | null;
}

/** The paired difference of per-problem success rates (each in [0, 1]) of runs a and b. */
export function pairedDifference(pairs: { a: number; b: number }[]): PairedDifference {
  if (pairs.length === 0) return { pairs: 0, rate_a: null, rate_b: null, difference: null, stderr: null, ci95: null };
  const differences = pairs.map((p) => p.a - p.b);
  const difference = mean(differences);
  const sd = sampleSd(differences);
  const stderr = sd === null ? null : sd / Math.sqrt(pairs.length);
  return {
    pairs: pairs.length,
    rate_a: mean(pairs.map((p) => p.a)),
    rate_b: mean(pairs.map((p) => p.b)),
    difference,
    stderr,
    ci95: stderr === null ? null : [difference - 1.96 * stderr, difference + 1.96 * stderr],
  };
}

/** Rounds a statistic for display (6 decimals), keeping null. */
export function round(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value * 1e6) / 1e6;
}

/** An interval with its limits rounded like every other statistic (its other fields kept). */
export function roundInterval<T extends { low: number; high: number }>(interval: T | null): T | null {
  return interval && { ...interval, low: round(interval.low)!, high: round(interval.high)! };
}

/** A p-value for display: six significant digits (fixed decimals would turn a small p into 0). */
export function roundP(value: number | null): number | null {
  return value === null ? null : Number(value.toPrecision(6));
}
