import { normalQuantile, zForConfidence } from './wilson.js';

/** Consecutive clean iterations needed to show, at `confidence`, that the true failure rate is below `rate` (0.03, 0.95 → 99). */
export function cleanRunsNeeded(rate: number, confidence = 0.95): number {
  if (!(rate > 0 && rate < 1)) throw new RangeError(`rate must be in (0, 1), got ${rate}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const exact = Math.log(1 - confidence) / Math.log(1 - rate);
  // Guard against 2.0000000000000004 becoming 3.
  return Math.max(1, Math.ceil(exact - 1e-9));
}

/** Iterations per sweep to tell failure rates p1 and p2 apart (two-sided, normal approximation); null when p1 equals p2. */
export function runsToDistinguish(p1: number, p2: number, alpha = 0.05, power = 0.8): number | null {
  for (const p of [p1, p2]) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`rates must be in [0, 1], got ${p}`);
  }
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1)) throw new RangeError('alpha and power must be in (0, 1)');
  if (p1 === p2) return null;
  const zAlpha = zForConfidence(1 - alpha);
  const zBeta = normalQuantile(power);
  const pBar = (p1 + p2) / 2;
  const numerator = zAlpha * Math.sqrt(2 * pBar * (1 - pBar)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.max(1, Math.ceil((numerator * numerator) / ((p1 - p2) * (p1 - p2)) - 1e-9));
}
