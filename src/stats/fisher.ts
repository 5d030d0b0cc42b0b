// Fisher's exact test for a 2×2 table, as R's fisher.test and scipy.stats.fisher_exact compute it.

import { logFactorial } from './log-factorial.js';

interface Hypergeometric {
  /** The smallest and largest possible top-left cell given the margins. */
  lo: number;
  hi: number;
  mode: number;
  /** ln P(X = x) for the top-left cell given the margins. */
  logP: (x: number) => number;
}

function topLeftDistribution(name: string, a: number, b: number, c: number, d: number): Hypergeometric {
  for (const x of [a, b, c, d]) {
    if (!Number.isInteger(x) || x < 0) throw new RangeError(`${name}: cells must be non-negative integers, got ${[a, b, c, d].join(', ')}`);
  }
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const n = row1 + row2;
  const constant = logFactorial(row1) + logFactorial(row2) + logFactorial(col1) + logFactorial(n - col1) - logFactorial(n);
  return {
    lo: Math.max(0, col1 - row2),
    hi: Math.min(row1, col1),
    mode: Math.floor(((row1 + 1) * (col1 + 1)) / (n + 2)),
    logP: (x) => constant - logFactorial(x) - logFactorial(row1 - x) - logFactorial(col1 - x) - logFactorial(row2 - col1 + x),
  };
}

/**
 * P(X ≤ from) (step −1) or P(X ≥ from) (step +1), summed from `from` outwards. Past the mode the terms fall
 * faster and faster (the distribution is log-concave), so the sum stops once they no longer count.
 */
function tail(dist: Hypergeometric, from: number, step: 1 | -1): number {
  let p = 0;
  for (let x = from; x >= dist.lo && x <= dist.hi; x += step) {
    const term = Math.exp(dist.logP(x));
    p += term;
    if (term < p * 1e-17 && (step < 0 ? x <= dist.mode : x >= dist.mode)) break;
  }
  return Math.min(1, p);
}

/** Two-sided p-value for [[a, b], [c, d]]: the sum of the probabilities of all tables with the same margins that are no more likely than this one. */
export function fisherExactTwoSided(a: number, b: number, c: number, d: number): number {
  const dist = topLeftDistribution('fisherExactTwoSided', a, b, c, d);
  if (dist.lo === dist.hi) return 1;
  // R's fisher.test: count tables with P ≤ P(observed) · (1 + 1e-7).
  const threshold = dist.logP(a) + Math.log1p(1e-7);
  let p = 0;
  for (let x = dist.lo; x <= dist.hi; x++) {
    const lp = dist.logP(x);
    if (lp <= threshold) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** One-sided p-value against a small top-left cell: P(X ≤ a) given the margins (R's fisher.test(alternative = "less")). */
export function fisherExactLess(a: number, b: number, c: number, d: number): number {
  const dist = topLeftDistribution('fisherExactLess', a, b, c, d);
  return tail(dist, a, -1);
}

/** One-sided p-value against a large top-left cell: P(X ≥ a) given the margins (R's fisher.test(alternative = "greater")). */
export function fisherExactGreater(a: number, b: number, c: number, d: number): number {
  const dist = topLeftDistribution('fisherExactGreater', a, b, c, d);
  return tail(dist, a, 1);
}
