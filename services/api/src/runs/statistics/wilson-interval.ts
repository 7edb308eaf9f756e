import { twoSidedZ } from './normal-quantile';

/** A confidence interval for one proportion, with how it was computed. */
export interface WilsonInterval {
  low: number;
  high: number;
  method: 'wilson';
  level: number;
}

/**
 * Wilson score interval for a binomial proportion, solved / n (E. B. Wilson, "Probable
 * inference, the law of succession, and statistical inference", JASA 22, 1927; recommended
 * for small n by Agresti & Coull, The American Statistician 52, 1998, and by Brown, Cai &
 * DasGupta, Statistical Science 16, 2001):
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z / (1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²).
 * Unlike p̂ ± z·SE it stays inside [0, 1] and is not zero-width at 0/n or n/n.
 * Null when n = 0 (nothing scored, nothing to estimate).
 */
export function wilsonInterval(solved: number, n: number, level = 0.95): WilsonInterval | null {
  if (n === 0) return null;
  if (solved < 0 || solved > n) throw new RangeError(`wilsonInterval needs 0 ≤ solved ≤ n, got ${solved} of ${n}`);
  const z = twoSidedZ(level);
  const p = solved / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half), method: 'wilson', level };
}
