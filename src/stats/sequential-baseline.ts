// "Is it better than before?" as a sequential test: is the new failure rate below that of a finished
// baseline sweep (x0 failures in n0 iterations), looking after every new iteration.
//
// Which test. A repeated one-sided Fisher exact test: after n new iterations with x failures, "better" as
// soon as Fisher's p-value for [[x, n − x], [x0, n0 − x0]] (alternative "less") is at most a nominal level c;
// the test ends at the first n at which its power at powerRate reaches the stated power (at the latest at a
// horizon H), and says "not better" there or as soon as "better" is out of reach. This rule is fixed for
// every possible x0 before any data is seen, and c is calibrated by exact computation:
//   Under H0 (new rate = baseline rate = q, any q) the n0 baseline and H new outcomes are independent
//   Bernoulli(q). Given their total number of failures T, every arrangement of those failures is equally
//   likely, whatever q is. So P(the rule says "better" | T) is a count over arrangements that does not depend
//   on q; c is the largest level at which it is ≤ alpha for every T. Then P(better) ≤ alpha for every q,
//   with no nuisance parameter left to maximise over: the sequential analogue of Fisher's conditioning on the
//   margins. A higher new rate only makes "better" rarer (more failures never help a path reach a boundary
//   of the form x ≤ a_n), so the bound holds for all of H0: new rate ≥ baseline rate.
//   H depends on n0 only (2·n0, at most 200, by default). The rule's own truncation depends on x0 and is part
//   of the computation, so looks the rule never takes cost nothing: for the seed's fix8 A2 baseline, 13/50,
//   c = 0.0449 against alpha = 0.05.
// The count per T sums, over the baseline's share x0' of the T failures, the chance that an arrangement
// crosses the boundary belonging to x0': the fraction of lattice paths that first cross at each point (a
// dynamic programme over ratios to C(n, x), which cannot overflow), times hypergeometric weights.
//
// Why not the simpler Bonferroni construction (a one-sided Clopper–Pearson lower bound L on the baseline
// rate at level gamma, then the SPRT of sequential-target.ts against L at alpha − gamma; Berger & Boos,
// JASA 1994)? It is valid but pays twice: for 13/50 and a suite that never fails it needs 24–27 clean runs,
// this test 12, and the fixed two-sample plan at the same error rates 27 per sweep.

import { fisherExactLess } from './fisher.js';
import { logChoose } from './log-factorial.js';
import { runsToDistinguish } from './sample-size.js';
import { boundaryDecision, firstExits, lowDecisionCurve, type SequentialBoundaries } from './sequential-oc.js';

export interface BaselineTestOptions {
  baselineFailures: number;
  baselineIterations: number;
  /** Largest probability of calling it better when the new rate equals the baseline's (default 0.05). */
  alpha?: number;
  /** Probability of calling it better when the new rate is powerRate, sought within the horizon (default 0.8). */
  power?: number;
  /** Default: the baseline's rate / 10. */
  powerRate?: number;
  /** Most new iterations the test may take, and the span of the calibration (default defaultHorizon(baselineIterations)). */
  horizon?: number;
}

export interface BaselineTestPlan {
  mode: 'baseline';
  baselineFailures: number;
  baselineIterations: number;
  baselineRate: number;
  alpha: number;
  power: number;
  powerRate: number;
  horizon: number;
  /** c: "better" once Fisher's one-sided p-value is at most this. */
  nominalLevel: number;
  /** Largest probability, over all totals of failures, that the rule says "better" under H0 (≤ alpha): a bound for every common rate. */
  typeIErrorBound: number;
  maxIterations: number;
  boundaries: SequentialBoundaries;
  /** Exact P(better) at powerRate; below `power` when the horizon is too short to reach it. */
  powerAtPowerRate: number;
  /** New iterations a suite that never fails needs to be called better. */
  cleanRunsToDecide: number;
  /** Per-sweep iterations of the fixed two-sample plan with the same one-sided alpha and power at powerRate (runsToDistinguish). */
  fixedPlanIterations: number | null;
}

export type BaselineDecision = 'better' | 'not-better' | 'continue';

/**
 * Twice the baseline, at most 200 iterations. A baseline rate a fix can be shown to beat is decided long before
 * (13/50 after at most 20), and the calibration's cost grows with n0 · H · (failures on the boundary): on the
 * 2-core machine here 13/50 plans in 0.15 s, 50/200 in 0.7 s, 100/500 in 2.4 s; 50/200 with H = 400 takes 2 s
 * and gives the same plan.
 */
export function defaultHorizon(baselineIterations: number): number {
  return Math.min(2 * baselineIterations, 200);
}

export interface BaselineCalibration {
  nominalLevel: number;
  typeIErrorBound: number;
}

/**
 * For each n ≤ horizon, the most new failures at which Fisher's one-sided p-value against x0/n0 is ≤ c (−1: none).
 * The p-value P(X ≤ x) grows with x and falls with n (in terms of the baseline's share Y = x0 + x − X, one more
 * new failure turns a clean ball of the urn into a failing one, one more clean new iteration adds a clean ball),
 * so the boundary never goes down and each n needs one look past the last one.
 */
export function fisherBoundary(x0: number, n0: number, horizon: number, nominalLevel: number): number[] {
  const lowAtMost = [-1];
  let x = -1;
  for (let n = 1; n <= horizon; n++) {
    while (x + 1 <= n && fisherExactLess(x + 1, n - x - 1, x0, n0 - x0) <= nominalLevel) x++;
    lowAtMost.push(x);
  }
  return lowAtMost;
}

/**
 * Adds, for every F, the probability that a random arrangement of F failures in `horizon` iterations first
 * crosses at (n, x), given that `fraction` of the C(n, x) paths to (n, x) first cross there: the first n hold
 * exactly x of the F failures with probability C(n, x) C(H − n, F − x) / C(H, F). Consecutive terms in F differ
 * by a ratio of small integers, so only the first is exponentiated (in logs until it is representable).
 */
function addFirstCrossing(byFailures: Float64Array, fraction: number, n: number, x: number, horizon: number): void {
  let logTerm = Math.log(fraction) + logChoose(n, x) - logChoose(horizon, x);
  let term = 0;
  for (let f = x; f <= x + horizon - n; f++) {
    if (term === 0 && logTerm > -700) term = Math.exp(logTerm);
    byFailures[f]! += term;
    const ratio = ((horizon - n - f + x) / (f + 1 - x)) * ((f + 1) / (horizon - f));
    if (term > 0) {
      term *= ratio;
      if (term === 0) return; // underflowed on the way down: the rest is smaller still
    } else logTerm += Math.log(ratio);
  }
}

/**
 * For each number of new failures F among `horizon` new iterations, the probability that a uniformly random
 * arrangement of them crosses `lowAtMost` (x ≤ lowAtMost[n] at some n ≤ its last index, which may be short of the horizon).
 */
function crossingByFailures(lowAtMost: number[], horizon: number): Float64Array {
  const byFailures = new Float64Array(horizon + 1);
  const highest = Math.max(...lowAtMost);
  if (highest < 0) return byFailures;
  // The weight at (n, x) is the fraction of the C(n, x) paths there that have not crossed yet:
  // C(n − 1, x) / C(n, x) = (n − x) / n of them come by a clean run, C(n − 1, x − 1) / C(n, x) = x / n by a failure.
  const paths = { clean: (n: number, x: number) => (n - x) / n, failure: (n: number, x: number) => x / n };
  const never = { lowAtMost, highAtLeast: lowAtMost.map((_, n) => n + 1) };
  firstExits(never, paths, highest, (n, x, fraction) => {
    if (x <= lowAtMost[n]! && fraction > 0) addFirstCrossing(byFailures, fraction, n, x, horizon);
  });
  return byFailures;
}

/** "Not better" once x exceeds every boundary still ahead, so it can no longer become "better" by the truncation. */
function curtailed(lowAtMost: number[]): SequentialBoundaries {
  const highAtLeast = new Array<number>(lowAtMost.length);
  let ahead = -1;
  for (let n = lowAtMost.length - 1; n >= 0; n--) {
    ahead = Math.max(ahead, lowAtMost[n]!);
    highAtLeast[n] = ahead + 1;
  }
  return { lowAtMost, highAtLeast };
}

/** What fixes the test for every baseline count x0 at once, so that its size can be computed over all of them. */
export interface BaselineDesign {
  baselineIterations: number;
  horizon: number;
  power: number;
  /** The same power rate for every x0, or null for a tenth of each x0's rate. */
  powerRate: number | null;
}

export interface BaselineRule {
  boundaries: SequentialBoundaries;
  powerRate: number;
  powerAtPowerRate: number;
}

/**
 * The test for a baseline of x0 failures at nominal level c: "better" on the Fisher boundary, truncated at the
 * first n at which P(better) at the power rate reaches the power (else at the horizon), "not better" once the
 * boundary is out of reach. A function of x0 alone, as the conditional size requires.
 */
export function baselineRule(design: BaselineDesign, x0: number, nominalLevel: number): BaselineRule {
  const { baselineIterations: n0, horizon, power } = design;
  const full = fisherBoundary(x0, n0, horizon, nominalLevel);
  const powerRate = design.powerRate ?? x0 / n0 / 10;
  const byIteration = lowDecisionCurve(curtailed(full), powerRate);
  const reached = byIteration.findIndex((p) => p >= power);
  const last = reached > 0 ? reached : horizon;
  return { boundaries: curtailed(full.slice(0, last + 1)), powerRate, powerAtPowerRate: byIteration[last]! };
}

/** For each total T of failures among the n0 baseline and H new iterations, P(the rule says "better" | T). */
export function baselineConditionalSizes(design: BaselineDesign, nominalLevel: number): number[] {
  const { baselineIterations: n0, horizon } = design;
  const crossing = Array.from({ length: n0 + 1 }, (_, x0) => crossingByFailures(baselineRule(design, x0, nominalLevel).boundaries.lowAtMost, horizon));
  const sizes: number[] = [];
  for (let total = 0; total <= n0 + horizon; total++) {
    let size = 0;
    for (let x0 = Math.max(0, total - horizon); x0 <= Math.min(n0, total); x0++) {
      const g = crossing[x0]![total - x0]!;
      if (g > 0) size += g * Math.exp(logChoose(n0, x0) + logChoose(horizon, total - x0) - logChoose(n0 + horizon, total));
    }
    sizes.push(size);
  }
  return sizes;
}

const calibrations = new Map<string, BaselineCalibration>();

/**
 * The largest nominal level found by bisection (to alpha/2^12) whose conditional size is ≤ alpha for every
 * total. The size is computed exactly at the level returned, so the bound holds even where it is not monotone
 * in c. Memoised: it depends on the design and alpha, not on x0.
 */
export function calibrateBaselineTest(design: BaselineDesign, alpha: number): BaselineCalibration {
  const key = JSON.stringify([design, alpha]);
  const known = calibrations.get(key);
  if (known) return known;
  const worst = (c: number): number => Math.max(...baselineConditionalSizes(design, c));
  let calibration: BaselineCalibration = { nominalLevel: alpha, typeIErrorBound: worst(alpha) };
  if (calibration.typeIErrorBound > alpha) {
    let lo = 0;
    let loSize = 0;
    let hi = alpha;
    for (let i = 0; i < 12; i++) {
      const mid = (lo + hi) / 2;
      const size = worst(mid);
      if (size <= alpha) {
        lo = mid;
        loSize = size;
      } else hi = mid;
    }
    calibration = { nominalLevel: lo, typeIErrorBound: loSize };
  }
  calibrations.set(key, calibration);
  return calibration;
}

export function planBaselineTest(options: BaselineTestOptions): BaselineTestPlan {
  const { baselineFailures: x0, baselineIterations: n0 } = options;
  if (!Number.isInteger(x0) || !Number.isInteger(n0) || x0 < 0 || n0 < 1 || x0 > n0) throw new RangeError(`invalid baseline: ${x0} failures in ${n0} iterations`);
  if (x0 === 0) throw new RangeError('the baseline never failed: no rate can be shown lower than 0; test against a target rate instead');
  const baselineRate = x0 / n0;
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  const horizon = options.horizon ?? defaultHorizon(n0);
  if (!(alpha > 0 && power < 1 && alpha < power && alpha < 0.5)) throw new RangeError(`need 0 < alpha < min(power, 0.5), power < 1; got alpha ${alpha}, power ${power}`);
  if (options.powerRate !== undefined && !(options.powerRate >= 0 && options.powerRate < baselineRate)) {
    throw new RangeError(`powerRate must be in [0, ${baselineRate}), got ${options.powerRate}`);
  }
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be a positive integer, got ${horizon}`);

  const design: BaselineDesign = { baselineIterations: n0, horizon, power, powerRate: options.powerRate ?? null };
  const { nominalLevel, typeIErrorBound } = calibrateBaselineTest(design, alpha);
  const { boundaries, powerRate, powerAtPowerRate } = baselineRule(design, x0, nominalLevel);
  const clean = boundaries.lowAtMost.findIndex((low) => low >= 0);
  if (clean < 0) {
    throw new RangeError(
      `${x0}/${n0} cannot be shown beaten within ${horizon} new iterations: even that many clean runs would not be significant; run a longer baseline, a longer horizon or test against a target rate`,
    );
  }
  return {
    mode: 'baseline',
    baselineFailures: x0,
    baselineIterations: n0,
    baselineRate,
    alpha,
    power,
    powerRate,
    horizon,
    nominalLevel,
    typeIErrorBound,
    maxIterations: boundaries.lowAtMost.length - 1,
    boundaries,
    powerAtPowerRate,
    cleanRunsToDecide: clean,
    fixedPlanIterations: runsToDistinguish(baselineRate, powerRate, 2 * alpha, power),
  };
}

export function decideBaseline(plan: BaselineTestPlan, failures: number, iterations: number): BaselineDecision {
  const decision = boundaryDecision(plan.boundaries, failures, iterations);
  return decision === 'low' ? 'better' : decision === 'high' ? 'not-better' : 'continue';
}
