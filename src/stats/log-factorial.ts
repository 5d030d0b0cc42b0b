// Logarithms of factorials and binomial coefficients, exact to double precision for the counts flakehunt sees.

const logFactorials: number[] = [0];

/** ln(n!) from a table of running sums of logs, grown on demand. */
export function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) {
    logFactorials.push((logFactorials[k - 1] ?? 0) + Math.log(k));
  }
  return logFactorials[n] ?? 0;
}

/** ln C(n, k); −Infinity when k is outside [0, n]. */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}
