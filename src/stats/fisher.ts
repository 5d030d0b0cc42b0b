// Fisher's exact test for a 2×2 table, two-sided, as R's fisher.test and scipy.stats.fisher_exact compute it.

const logFactorials: number[] = [0];

/** ln(n!) from a table of running sums of logs, grown on demand. */
function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) {
    logFactorials.push((logFactorials[k - 1] ?? 0) + Math.log(k));
  }
  return logFactorials[n] ?? 0;
}

/** Two-sided p-value for [[a, b], [c, d]]: the sum of the probabilities of all tables with the same margins that are no more likely than this one. */
export function fisherExactTwoSided(a: number, b: number, c: number, d: number): number {
  for (const x of [a, b, c, d]) {
    if (!Number.isInteger(x) || x < 0) throw new RangeError(`fisherExactTwoSided: cells must be non-negative integers, got ${[a, b, c, d].join(', ')}`);
  }
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const n = row1 + row2;
  const lo = Math.max(0, col1 - row2);
  const hi = Math.min(row1, col1);
  if (lo === hi) return 1;
  // ln P(X = x) for the hypergeometric distribution of the top-left cell given the margins.
  const constant = logFactorial(row1) + logFactorial(row2) + logFactorial(col1) + logFactorial(n - col1) - logFactorial(n);
  const logP = (x: number): number =>
    constant - logFactorial(x) - logFactorial(row1 - x) - logFactorial(col1 - x) - logFactorial(row2 - col1 + x);
  const observed = logP(a);
  // R's fisher.test: count tables with P ≤ P(observed) · (1 + 1e-7).
  const threshold = observed + Math.log1p(1e-7);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const lp = logP(x);
    if (lp <= threshold) p += Math.exp(lp);
  }
  return Math.min(1, p);
}
