import type { RateEstimate } from './rate-estimate.js';

// Acklam's rational approximation of the inverse standard normal CDF (relative error < 1.15e-9).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Evaluates a polynomial with coefficients from the highest power down (Horner). */
function poly(coefficients: number[], x: number): number {
  return coefficients.reduce((acc, c) => acc * x + c, 0);
}

/** Inverse of the standard normal CDF: the z with P(Z ≤ z) = p, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(C, q) / (poly(D, q) * q + 1);
  }
  if (p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(C, q) / (poly(D, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(A, r) * q) / (poly(B, r) * r + 1);
}

/** Two-sided critical value: the z with P(-z ≤ Z ≤ z) = confidence (0.95 → 1.959964). */
export function zForConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** Wilson score interval for `count` successes out of `total`; exact 0 and 1 at the edges, {0, 1} when total is 0. */
export function wilsonInterval(count: number, total: number, confidence = 0.95): { lower: number; upper: number } {
  checkCounts(count, total);
  if (total === 0) return { lower: 0, upper: 1 };
  const z = zForConfidence(confidence);
  const z2 = z * z;
  const p = count / total;
  const denominator = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return {
    lower: count === 0 ? 0 : Math.max(0, centre - half),
    upper: count === total ? 1 : Math.min(1, centre + half),
  };
}

/** Exact one-sided upper bound on the rate when 0 of `total` failed: 1 − (1 − c)^(1/n) (0/50 → 0.0582). */
export function zeroFailureUpperBound(total: number, confidence = 0.95): number {
  checkCounts(0, total);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (total === 0) return 1;
  return 1 - Math.pow(1 - confidence, 1 / total);
}

/** A count out of a total with its rate (0 when total is 0) and Wilson interval. */
export function estimateRate(count: number, total: number, confidence = 0.95): RateEstimate {
  const { lower, upper } = wilsonInterval(count, total, confidence);
  return { count, total, rate: total === 0 ? 0 : count / total, lower, upper };
}

function checkCounts(count: number, total: number): void {
  if (!Number.isInteger(count) || !Number.isInteger(total) || count < 0 || total < 0 || count > total) {
    throw new RangeError(`invalid count ${count} out of ${total}`);
  }
}
