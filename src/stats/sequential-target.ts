// "Is it fixed?" as a sequential test: is the failure rate below a target p0, looking after every iteration.
//
// Which test. Wald's sequential probability ratio test (SPRT) of H_not-fixed: p ≥ p0 against
// H_fixed: p ≤ p1, truncated at a maximum number of iterations. The log-likelihood ratio
// S_n = ln L(p1)/L(p0) after x failures in n iterations is n·s − x·d with s = ln((1 − p1)/(1 − p0)) and
// d = s + ln(p0/p1); "fixed" when S_n ≥ A, "not fixed" when S_n ≤ −B, and "not fixed" at the truncation if
// neither happened. Wald's formulas for A and B are approximations, and truncation changes the error rates,
// so A and B are chosen by exact computation instead (sequential-oc.ts): the fewest clean runs to "fixed"
// and then the smallest B such that P(fixed | p0) ≤ alpha and P(fixed | p1) ≥ power. Every path that ends
// "fixed" has S_n ≥ A, so P(fixed | p0) ≤ e^(−A)·P(fixed | p1) (Wald 1945): A never needs to exceed
// ln(1/alpha), which bounds in advance the price a suite that never fails pays for the looking.
// Both error rates hold at the truncation too: "not fixed" there is counted against the power. And
// P(fixed | p) falls as p grows (more failures can only delay or prevent "fixed"), so the type I error at
// p0 bounds it at every rate above p0.
//
// Why not an always-valid confidence sequence (Robbins' beta-binomial mixture; Howard, Ramdas, McAuliffe &
// Sekhon, Ann. Statist. 49(2), 2021)? It is valid against every alternative at once and pays for that in
// clean runs: with a uniform mixture, n clean runs exclude p0 only when (n + 1)(1 − p0)^n ≤ alpha, which for
// p0 = 3% and alpha = 5% takes 284 clean runs instead of 99, and mixing over [0, p0] only still takes 148.
// The untruncated SPRT needs the fewest iterations on average at both p0 and p1 of all tests with its error
// rates (Wald & Wolfowitz 1948), and "did the fix bring it below p0" is exactly a two-point question.
//
// Default p1 = p0/10: power is promised at a rate a real fix reaches, and the price stays small. For
// p0 = 3%, alpha 5%, power 80%: 101 clean runs against the fixed plan's 99, "not fixed" after 4.0 iterations
// on average at 25%, 34.9 at p0, 94.9 at p1, at most 198. With p1 = p0/5 a clean suite would need 114, with
// p0/3 136; at p0/20 the test degenerates into the fixed plan itself (99 clean runs, stop at a failure).

import { cleanRunsNeeded } from './sample-size.js';
import { boundaryDecision, lowDecisionCurve, type SequentialBoundaries } from './sequential-oc.js';

export interface TargetTestOptions {
  /** p0: the rate the suite must be shown to be below. */
  targetRate: number;
  /** Largest probability of calling it fixed when the rate is p0 (default 0.05). */
  alpha?: number;
  /** Smallest probability of calling it fixed when the rate is powerRate (default 0.8). */
  power?: number;
  /** p1 (default targetRate / 10). */
  powerRate?: number;
  /** The truncation; by default the first of TRUNCATION_MULTIPLES × the fixed plan at which the error rates can be met. */
  maxIterations?: number;
}

export interface TargetTestPlan {
  mode: 'target';
  targetRate: number;
  powerRate: number;
  alpha: number;
  power: number;
  /** A: "fixed" when ln L(p1)/L(p0) ≥ A. */
  fixedThreshold: number;
  /** B: "not fixed" when ln L(p1)/L(p0) ≤ −B. */
  notFixedThreshold: number;
  maxIterations: number;
  boundaries: SequentialBoundaries;
  /** Exact P(fixed) at targetRate (≤ alpha). */
  typeIError: number;
  /** Exact P(fixed) at powerRate (≥ power). */
  powerAtPowerRate: number;
  /** Iterations a suite that never fails needs to be called fixed. */
  cleanRunsToDecide: number;
  /** The fixed plan's clean runs for the same target and alpha (cleanRunsNeeded). */
  fixedPlanCleanRuns: number;
}

export type TargetDecision = 'fixed' | 'not-fixed' | 'continue';

/** Truncations tried, as multiples of the fixed plan's clean runs; about 2 is where p1 = p0/10 becomes feasible. */
export const TRUNCATION_MULTIPLES = [1.5, 2, 3, 4, 6, 8, 12, 16];

// Absorbs rounding where a boundary point lies exactly on a threshold line (the thresholds are chosen there).
const EPS = 1e-9;

interface Lines {
  s: number;
  d: number;
}

function sprtBoundaries(lines: Lines, a: number, b: number, max: number): SequentialBoundaries {
  const lowAtMost = [-1];
  const highAtLeast = [1];
  for (let n = 1; n <= max; n++) {
    const low = Math.max(-1, Math.min(n, Math.floor((n * lines.s - a) / lines.d + EPS)));
    lowAtMost.push(low);
    highAtLeast.push(n === max ? low + 1 : Math.min(n + 1, Math.ceil((n * lines.s + b) / lines.d - EPS)));
  }
  return { lowAtMost, highAtLeast };
}

function fixedProbability(boundaries: SequentialBoundaries, rate: number): number {
  return lowDecisionCurve(boundaries, rate).at(-1)!;
}

/**
 * The values of A with `clean` clean runs to "fixed" at which the boundary changes, smallest first: A = m·s − k·d
 * puts the point (m iterations, k failures) exactly on the line; just above it that point drops out.
 */
function thresholdCandidates(lines: Lines, clean: number, max: number): number[] {
  const candidates: number[] = [];
  for (let k = 0; ; k++) {
    const m = Math.floor(clean + (k * lines.d) / lines.s + EPS);
    if (m > max) break;
    candidates.push(m * lines.s - k * lines.d);
  }
  return candidates.sort((x, y) => x - y);
}

interface Design {
  targetRate: number;
  powerRate: number;
  alpha: number;
  power: number;
}

type Attempt = { outcome: 'ok'; plan: TargetTestPlan } | { outcome: 'alpha' | 'power' };

/**
 * The best plan whose suite that never fails is called fixed after exactly `clean` iterations, if any. Among
 * the thresholds A with that many clean runs, the smallest ones are tried first and for each the smallest B
 * that gives the power; 'alpha' means the type I error is too large for all of them, 'power' that the power
 * is out of reach (it then is for every larger A too).
 */
function attempt(design: Design, lines: Lines, max: number, clean: number): Attempt {
  const { targetRate, powerRate, alpha, power } = design;
  const noLimit = max * lines.d;
  for (const a of thresholdCandidates(lines, clean, max)) {
    if (fixedProbability(sprtBoundaries(lines, a, noLimit, max), powerRate) < power) return { outcome: 'power' };
    let lo = 0;
    let hi = noLimit;
    for (let i = 0; i < 50 && hi - lo > 1e-9; i++) {
      const mid = (lo + hi) / 2;
      if (fixedProbability(sprtBoundaries(lines, a, mid, max), powerRate) >= power) hi = mid;
      else lo = mid;
    }
    const boundaries = sprtBoundaries(lines, a, hi, max);
    const typeIError = fixedProbability(boundaries, targetRate);
    if (typeIError <= alpha) {
      const plan: TargetTestPlan = {
        mode: 'target',
        targetRate,
        powerRate,
        alpha,
        power,
        fixedThreshold: a,
        notFixedThreshold: hi,
        maxIterations: max,
        boundaries,
        typeIError,
        powerAtPowerRate: fixedProbability(boundaries, powerRate),
        cleanRunsToDecide: clean,
        fixedPlanCleanRuns: cleanRunsNeeded(targetRate, 1 - alpha),
      };
      return { outcome: 'ok', plan };
    }
  }
  return { outcome: 'alpha' };
}

/**
 * The plan with the fewest clean runs for this truncation, or null. Small clean counts fail the type I error,
 * large ones the power, so the first count that does not fail the type I error is found by bisection. With
 * A ≥ ln(1/alpha) the type I error always holds (see the top), which bounds the search.
 */
function designForTruncation(design: Design, lines: Lines, max: number): TargetTestPlan | null {
  let lo = cleanRunsNeeded(design.targetRate, 1 - design.alpha);
  let hi = Math.min(max, Math.ceil(Math.log(1 / design.alpha) / lines.s) + 1);
  if (lo > hi) return null;
  let best = attempt(design, lines, max, hi);
  if (best.outcome === 'alpha') return null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const result = attempt(design, lines, max, mid);
    if (result.outcome === 'alpha') lo = mid + 1;
    else {
      hi = mid;
      best = result;
    }
  }
  return best.outcome === 'ok' ? best.plan : null;
}

/** The truncated SPRT for "below targetRate", with thresholds set by exact computation (see the top of this file). */
export function planTargetTest(options: TargetTestOptions): TargetTestPlan {
  const targetRate = options.targetRate;
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  const powerRate = options.powerRate ?? targetRate / 10;
  if (!(targetRate > 0 && targetRate < 1)) throw new RangeError(`targetRate must be in (0, 1), got ${targetRate}`);
  if (!(powerRate > 0 && powerRate < targetRate)) throw new RangeError(`powerRate must be in (0, targetRate), got ${powerRate}`);
  if (!(alpha > 0 && power < 1 && alpha < power)) throw new RangeError(`need 0 < alpha < power < 1, got alpha ${alpha}, power ${power}`);
  const s = Math.log((1 - powerRate) / (1 - targetRate));
  const lines = { s, d: s + Math.log(targetRate / powerRate) };
  const fixedPlan = cleanRunsNeeded(targetRate, 1 - alpha);
  const truncations = options.maxIterations !== undefined ? [options.maxIterations] : TRUNCATION_MULTIPLES.map((m) => Math.ceil(m * fixedPlan));
  for (const max of truncations) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxIterations must be a positive integer, got ${max}`);
    const plan = designForTruncation({ targetRate, powerRate, alpha, power }, lines, max);
    if (plan) return plan;
  }
  throw new RangeError(
    `no sequential test within ${truncations.at(-1)} iterations reaches power ${power} at ${powerRate} with alpha ${alpha} at ${targetRate}; choose a lower powerRate or a larger maxIterations`,
  );
}

export function decideTarget(plan: TargetTestPlan, failures: number, iterations: number): TargetDecision {
  const decision = boundaryDecision(plan.boundaries, failures, iterations);
  return decision === 'low' ? 'fixed' : decision === 'high' ? 'not-fixed' : 'continue';
}
