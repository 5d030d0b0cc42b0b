// Exact operating characteristics of a truncated sequential test of a failure rate, by dynamic programming
// over (iterations, failures): after every iteration the test decides "low" (fixed / better), "high"
// (not fixed / not better) or goes on, and it must decide by its last iteration. For a true rate p the
// failures after n iterations of a still-running test have a distribution computed exactly from the one
// after n − 1; what crosses a boundary leaves. That gives every decision's probability and the expected
// number of iterations without any approximation (Jennison & Turnbull, "Group Sequential Methods with
// Applications to Clinical Trials", 2000, §12.1; the computation of gsDesign's gsBinomialExact).

/** Decision thresholds indexed by the number of counted iterations n (index 0 unused, last index = the maximum). */
export interface SequentialBoundaries {
  /** Decide "low" after n iterations when failures ≤ lowAtMost[n]; −1 while that is not yet possible. */
  lowAtMost: number[];
  /** Decide "high" after n iterations when failures ≥ highAtLeast[n]; at the last n everything not "low" is "high". */
  highAtLeast: number[];
}

export type BoundaryDecision = 'low' | 'high' | 'continue';

export interface OperatingCharacteristics {
  /** The true failure rate these figures are for. */
  rate: number;
  probabilityLow: number;
  probabilityHigh: number;
  /** Expected number of iterations until the decision (the average sample number). */
  expectedIterations: number;
}

export function maxIterationsOf(boundaries: SequentialBoundaries): number {
  return boundaries.lowAtMost.length - 1;
}

/** The decision after `iterations` counted iterations with `failures` of them failed; the first one that is not 'continue' stands. */
export function boundaryDecision(boundaries: SequentialBoundaries, failures: number, iterations: number): BoundaryDecision {
  const max = maxIterationsOf(boundaries);
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > max) {
    throw new RangeError(`iterations must be an integer in [0, ${max}] (the plan's maximum), got ${iterations}`);
  }
  if (!Number.isInteger(failures) || failures < 0 || failures > iterations) throw new RangeError(`invalid count: ${failures} failures in ${iterations} iterations`);
  if (iterations === 0) return 'continue';
  if (failures <= boundaries.lowAtMost[iterations]!) return 'low';
  if (iterations === max || failures >= boundaries.highAtLeast[iterations]!) return 'high';
  return 'continue';
}

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be in [0, 1], got ${rate}`);
}

/** How weight moves in one iteration: from (n − 1, x) to (n, x) by a clean run, from (n − 1, x − 1) to (n, x) by a failure. */
export interface Transition {
  clean: (n: number, x: number) => number;
  failure: (n: number, x: number) => number;
}

function bernoulli(rate: number): Transition {
  return { clean: () => 1 - rate, failure: () => rate };
}

/**
 * Steps weight over the failures x of tests still running, from 1 at (0, 0); `leave(n, x, weight)` is told of
 * every (n, x) at which a test stops, including all that remain at the last n. States with more failures than
 * `dropAbove` are discarded unreported.
 */
export function firstExits(
  boundaries: SequentialBoundaries,
  transition: Transition,
  dropAbove: number,
  leave: (n: number, x: number, weight: number) => void,
): void {
  const max = maxIterationsOf(boundaries);
  let current = new Float64Array(max + 2);
  let next = new Float64Array(max + 2);
  current[0] = 1;
  // Failures of running tests form one contiguous range [lo, hi]: a step widens it by one at the top, and
  // each boundary cuts off a bottom or a top part. Only that range of `current` is ever read.
  let lo = 0;
  let hi = 0;
  for (let n = 1; n <= max && lo <= hi; n++) {
    const top = Math.min(hi + 1, dropAbove);
    for (let x = lo; x <= top; x++) {
      next[x] = (x <= hi ? current[x]! * transition.clean(n, x) : 0) + (x > lo ? current[x - 1]! * transition.failure(n, x) : 0);
    }
    let newLo = lo;
    let newHi = top;
    const low = boundaries.lowAtMost[n]!;
    const high = n === max ? low + 1 : boundaries.highAtLeast[n]!;
    while (newLo <= newHi && newLo <= low) {
      leave(n, newLo, next[newLo]!);
      newLo++;
    }
    while (newHi >= newLo && newHi >= high) {
      leave(n, newHi, next[newHi]!);
      newHi--;
    }
    [current, next] = [next, current];
    lo = newLo;
    hi = newHi;
  }
}

/** Exact probability of each decision and the expected number of iterations when the true failure rate is `rate`. */
export function operatingCharacteristics(boundaries: SequentialBoundaries, rate: number): OperatingCharacteristics {
  checkRate(rate);
  let probabilityLow = 0;
  let probabilityHigh = 0;
  let expectedIterations = 0;
  firstExits(boundaries, bernoulli(rate), Infinity, (n, x, probability) => {
    if (x <= boundaries.lowAtMost[n]!) probabilityLow += probability;
    else probabilityHigh += probability;
    expectedIterations += n * probability;
  });
  return { rate, probabilityLow, probabilityHigh, expectedIterations };
}

/**
 * Cumulative probability of having decided "low" by each n (index 0..max) at `rate`. Tests that can no longer
 * decide "low" are dropped early, so this is fast even when the "high" boundary is far away.
 */
export function lowDecisionCurve(boundaries: SequentialBoundaries, rate: number): number[] {
  checkRate(rate);
  const max = maxIterationsOf(boundaries);
  const byIteration = new Array<number>(max + 1).fill(0);
  const highestLow = Math.max(...boundaries.lowAtMost);
  firstExits(boundaries, bernoulli(rate), highestLow, (n, x, probability) => {
    if (x <= boundaries.lowAtMost[n]!) byIteration[n]! += probability;
  });
  for (let n = 1; n <= max; n++) byIteration[n]! += byIteration[n - 1]!;
  return byIteration;
}

/** The largest number of iterations any outcome sequence can need before the test decides. */
export function worstCaseIterations(boundaries: SequentialBoundaries): number {
  let worst = 0;
  firstExits(boundaries, bernoulli(0.5), Infinity, (n) => {
    worst = Math.max(worst, n);
  });
  return worst;
}
