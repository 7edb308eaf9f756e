#!/usr/bin/env python3
"""Known answers for services/api/src/runs/statistics/*.test.ts, computed independently.

Standard library only (python3 scripts/statistics-known-answers.py). Each value printed here is
pasted into a unit test; the TypeScript code was not consulted for the formulas below, only for
the order of the random draws, which the bootstrap's doc comments fix.
"""
import math
from statistics import NormalDist

M = 0xFFFFFFFF


def wilson(solved, n, level=0.95):
    """Wilson (1927) score interval, from the quadratic in p it solves."""
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = solved / n
    a = 1 + z * z / n
    b = -(2 * p + z * z / n)
    c = p * p
    disc = math.sqrt(b * b - 4 * a * c)
    return ((-b - disc) / (2 * a), (-b + disc) / (2 * a))


def mcnemar_exact(b, c):
    """Two-sided exact binomial test of b successes in b + c trials with p = 1/2."""
    n = b + c
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def mulberry32(seed):
    state = seed & M

    def imul(x, y):
        return (x * y) & M

    def nxt():
        nonlocal state
        state = (state + 0x6D2B79F5) & M
        t = imul(state ^ (state >> 15), 1 | state)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & M) ^ t
        return ((t ^ (t >> 14)) & M) / 4294967296

    return nxt


def draw(rng, n):
    return math.floor(rng() * n)


def resampled(rng, n, solved):
    return sum(1 for _ in range(n) if draw(rng, n) < solved)


def quantile(sorted_values, q):
    h = (len(sorted_values) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def percentile(reps, level=0.95):
    s = sorted(reps)
    tail = (1 - level) / 2
    return (quantile(s, tail), quantile(s, 1 - tail))


def cluster_bootstrap(problems, samples, seed):
    """problems: [(n, solved)]; resample problems, then repeats within each; solved / scored."""
    rng = mulberry32(seed)
    reps = []
    for _ in range(samples):
        solved = total = 0
        for _ in range(len(problems)):
            n, s = problems[draw(rng, len(problems))]
            solved += resampled(rng, n, s)
            total += n
        reps.append(solved / total)
    return percentile(reps)


def paired_bootstrap(pairs, samples, seed):
    """pairs: [((n_a, s_a), (n_b, s_b))]; resample problems, then each side's repeats;
    statistic: solved_a / scored_a - solved_b / scored_b over the drawn problems."""
    rng = mulberry32(seed)
    reps = []
    for _ in range(samples):
        solved_a = total_a = solved_b = total_b = 0
        for _ in range(len(pairs)):
            (na, sa), (nb, sb) = pairs[draw(rng, len(pairs))]
            solved_a += resampled(rng, na, sa)
            total_a += na
            solved_b += resampled(rng, nb, sb)
            total_b += nb
        reps.append(solved_a / total_a - solved_b / total_b)
    return percentile(reps)


if __name__ == "__main__":
    print("normal quantile 0.975:", repr(NormalDist().inv_cdf(0.975)))
    print("wilson 8/10 95%:", wilson(8, 10))
    print("wilson 0/10 95%:", wilson(0, 10))
    # Newcombe 1998 (Statistics in Medicine 17:857-872), Table I, method 3: 81/263, 15/148, 0/20, 1/29.
    for solved, n in [(81, 263), (15, 148), (0, 20), (1, 29)]:
        print(f"wilson {solved}/{n} 95%:", wilson(solved, n))
    print("mcnemar exact b=1 c=9:", repr(mcnemar_exact(1, 9)))
    print("mcnemar exact b=3 c=3:", repr(mcnemar_exact(3, 3)))
    print("mcnemar exact b=0 c=5:", repr(mcnemar_exact(0, 5)))
    rng = mulberry32(1)
    print("mulberry32(1) first three:", [repr(rng()) for _ in range(3)])
    # A run: 7 problems with uneven scored repeats (n, solved); the unit tests use these inputs.
    run = [(3, 3), (3, 2), (2, 1), (3, 0), (4, 4), (3, 1), (1, 0)]
    print("cluster bootstrap B=2000 seed=20260101:", cluster_bootstrap(run, 2000, 20260101))
    print("cluster bootstrap B=500 seed=7:", cluster_bootstrap(run, 500, 7))
    pairs = [((3, 3), (2, 1)), ((3, 2), (3, 2)), ((2, 2), (3, 0)), ((3, 0), (3, 1)), ((4, 1), (4, 0)), ((1, 1), (1, 1))]
    print("paired bootstrap B=2000 seed=20260101:", paired_bootstrap(pairs, 2000, 20260101))
    print("paired bootstrap B=500 seed=7:", paired_bootstrap(pairs, 500, 7))
