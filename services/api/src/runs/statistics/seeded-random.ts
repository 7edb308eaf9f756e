/**
 * Mulberry32, a 32-bit seeded PRNG (Tommy Ettinger, 2017; public domain, as published in
 * bryc/code "PRNGs"): deterministic, so a bootstrap with a stated seed gives the same interval
 * on every machine and in scripts/statistics-known-answers.py. Not for cryptography.
 * Returns a function giving uniforms in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n) from a uniform in [0, 1). */
export function drawIndex(random: () => number, n: number): number {
  return Math.floor(random() * n);
}
