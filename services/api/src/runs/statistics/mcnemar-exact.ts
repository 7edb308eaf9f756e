/**
 * The exact McNemar test (McNemar, "Note on the sampling error of the difference between
 * correlated proportions or percentages", Psychometrika 12, 1947; exact form in Agresti,
 * Categorical Data Analysis, 3rd ed. 2013, §11.1): under "both sides succeed equally often",
 * each discordant pair is a's win or b's with probability ½, so b ~ Binomial(b + c, ½) given
 * b + c. Two-sided p = min(1, 2 · P(X ≤ min(b, c))). Null when there is no discordant pair
 * (nothing tells the sides apart). Pure; exact in doubles for b + c up to ~1000 (log space).
 *
 * @param onlyA pairs where a succeeded and b did not (b in McNemar's table)
 * @param onlyB pairs where b succeeded and a did not (c)
 */
export function mcnemarExactP(onlyA: number, onlyB: number): number | null {
  if (!Number.isInteger(onlyA) || !Number.isInteger(onlyB) || onlyA < 0 || onlyB < 0) {
    throw new RangeError(`mcnemarExactP needs two counts of discordant pairs, got ${onlyA} and ${onlyB}`);
  }
  const n = onlyA + onlyB;
  if (n === 0) return null;
  const smaller = Math.min(onlyA, onlyB);
  // log C(n, i) − n log 2, summed term by term from i = 0.
  let logTerm = -n * Math.LN2;
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= smaller; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logTerm);
  }
  return Math.min(1, 2 * tail);
}
