// Helpers for the sequential tests: simulated sweeps and brute-force enumeration of outcome sequences.
import type { SeededRandom } from '../../../src/stats/random.js';

export interface SweepOutcome<D extends string> {
  decision: D;
  iterations: number;
}

/** Runs one simulated sweep at `rate`, asking `decide` after every iteration, until it answers. */
export function simulateSweep<D extends string>(decide: (failures: number, iterations: number) => D | 'continue', rate: number, random: SeededRandom): SweepOutcome<D> {
  let failures = 0;
  for (let n = 1; ; n++) {
    if (random.nextFloat() < rate) failures++;
    const decision = decide(failures, n);
    if (decision !== 'continue') return { decision, iterations: n };
  }
}

export interface Tally {
  /** Fraction of sweeps with each decision. */
  share: Map<string, number>;
  meanIterations: number;
  /** Standard error of meanIterations. */
  meanError: number;
}

export function simulateMany<D extends string>(decide: (failures: number, iterations: number) => D | 'continue', rate: number, sweeps: number, random: SeededRandom): Tally {
  const counts = new Map<string, number>();
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < sweeps; i++) {
    const { decision, iterations } = simulateSweep(decide, rate, random);
    counts.set(decision, (counts.get(decision) ?? 0) + 1);
    sum += iterations;
    sumSquares += iterations * iterations;
  }
  const mean = sum / sweeps;
  const variance = sumSquares / sweeps - mean * mean;
  return {
    share: new Map([...counts].map(([k, v]) => [k, v / sweeps])),
    meanIterations: mean,
    meanError: Math.sqrt(variance / sweeps),
  };
}

/** Standard error of an observed share of `sweeps` Bernoulli(p) trials. */
export function shareError(p: number, sweeps: number): number {
  return Math.sqrt((p * (1 - p)) / sweeps);
}

/**
 * Every outcome sequence of length `max` (bit i = iteration i + 1 failed), run through `decide` until it
 * answers: the exact probability of each decision and the expected iterations at `rate`, and the longest run.
 */
export function enumerateSequences<D extends string>(
  decide: (failures: number, iterations: number) => D | 'continue',
  max: number,
  rate: number,
): { probability: Map<string, number>; expectedIterations: number; longest: number } {
  const probability = new Map<string, number>();
  let expectedIterations = 0;
  let longest = 0;
  for (let bits = 0; bits < 2 ** max; bits++) {
    let failures = 0;
    for (let n = 1; n <= max; n++) {
      if ((bits >> (n - 1)) & 1) failures++;
      const decision = decide(failures, n);
      if (decision === 'continue') continue;
      // Only the first n outcomes matter; the sequence's weight sums over the rest.
      const weight = rate ** failures * (1 - rate) ** (n - failures) / 2 ** (max - n);
      probability.set(decision, (probability.get(decision) ?? 0) + weight);
      expectedIterations += n * weight;
      longest = Math.max(longest, n);
      break;
    }
  }
  return { probability, expectedIterations, longest };
}
