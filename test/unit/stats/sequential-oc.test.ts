import { describe, it, expect } from 'vitest';
import {
  boundaryDecision,
  lowDecisionCurve,
  operatingCharacteristics,
  worstCaseIterations,
  type SequentialBoundaries,
} from '../../../src/stats/sequential-oc.js';
import { enumerateSequences } from './sequential-simulation.js';

// Irregular on purpose: a "high" boundary that moves up and down, a gap before "low" is possible.
const boundaries: SequentialBoundaries = {
  lowAtMost: [-1, -1, -1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3],
  highAtLeast: [1, 2, 2, 2, 3, 3, 3, 4, 3, 4, 4, 5, 4],
};
const decide = (failures: number, iterations: number) => boundaryDecision(boundaries, failures, iterations);

describe('exact operating characteristics', () => {
  it.each([0, 0.05, 0.2, 0.37, 0.5, 0.9, 1])('match brute-force enumeration of all 2^12 sequences at rate %f', (rate) => {
    const exact = enumerateSequences(decide, 12, rate);
    const oc = operatingCharacteristics(boundaries, rate);
    expect(oc.probabilityLow).toBeCloseTo(exact.probability.get('low') ?? 0, 12);
    expect(oc.probabilityHigh).toBeCloseTo(exact.probability.get('high') ?? 0, 12);
    expect(oc.probabilityLow + oc.probabilityHigh).toBeCloseTo(1, 12);
    expect(oc.expectedIterations).toBeCloseTo(exact.expectedIterations, 10);
    expect(lowDecisionCurve(boundaries, rate).at(-1)).toBeCloseTo(oc.probabilityLow, 12);
  });
  it('gives the cumulative "low" probability by iteration', () => {
    // By n = 3 only three clean runs reach "low"; by n = 6 also 0 failures in 4–5 or at most 1 in 6.
    const curve = lowDecisionCurve(boundaries, 0.2);
    expect(curve.slice(0, 3)).toEqual([0, 0, 0]);
    expect(curve[3]).toBeCloseTo(0.8 ** 3, 12);
    const truncated = (n: number): SequentialBoundaries => ({
      lowAtMost: boundaries.lowAtMost.slice(0, n + 1),
      highAtLeast: [...boundaries.highAtLeast.slice(0, n), boundaries.lowAtMost[n]! + 1],
    });
    for (const n of [4, 7, 10]) expect(curve[n]).toBeCloseTo(operatingCharacteristics(truncated(n), 0.2).probabilityLow, 12);
  });
  it('knows the longest run', () => {
    expect(worstCaseIterations(boundaries)).toBe(enumerateSequences(decide, 12, 0.5).longest);
    const soon = { lowAtMost: [-1, 0, 0, 0], highAtLeast: [1, 1, 1, 9] };
    expect(worstCaseIterations(soon)).toBe(1);
    // The last iteration decides whatever highAtLeast says there.
    expect(boundaryDecision(soon, 2, 3)).toBe('high');
  });
  it('decides by the boundaries and refuses counts outside the plan', () => {
    expect(decide(0, 0)).toBe('continue');
    expect(decide(0, 2)).toBe('continue');
    expect(decide(0, 3)).toBe('low');
    expect(decide(1, 1)).toBe('continue');
    expect(decide(2, 2)).toBe('high');
    expect(decide(3, 12)).toBe('low');
    expect(decide(4, 12)).toBe('high');
    expect(() => decide(0, 13)).toThrow(RangeError);
    expect(() => decide(3, 2)).toThrow(RangeError);
    expect(() => decide(-1, 2)).toThrow(RangeError);
    expect(() => operatingCharacteristics(boundaries, 1.5)).toThrow(RangeError);
  });
});
