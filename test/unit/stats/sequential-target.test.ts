import { describe, it, expect } from 'vitest';
import { decideTarget, planTargetTest, TRUNCATION_MULTIPLES } from '../../../src/stats/sequential-target.js';
import { operatingCharacteristics, worstCaseIterations } from '../../../src/stats/sequential-oc.js';
import { SeededRandom } from '../../../src/stats/random.js';
import { enumerateSequences, shareError, simulateMany } from './sequential-simulation.js';

// The case: target 3%, alpha 5%, power 80% (p1 = 0.3% by default).
const plan = planTargetTest({ targetRate: 0.03 });
const decide = (failures: number, iterations: number) => decideTarget(plan, failures, iterations);

describe('planTargetTest: the issue figures', () => {
  it('calls a never-failing suite fixed after 101 clean runs, 2 more than the fixed plan', () => {
    expect(plan.fixedPlanCleanRuns).toBe(99);
    expect(plan.cleanRunsToDecide).toBe(101);
    expect(decide(0, 100)).toBe('continue');
    expect(decide(0, 101)).toBe('fixed');
    // Wald's bound caps the price in advance: A ≤ ln(1/alpha) means at most ceil(ln 20 / s) + 1 clean runs.
    const s = Math.log(0.997 / 0.97);
    expect(plan.cleanRunsToDecide).toBeLessThanOrEqual(Math.ceil(Math.log(20) / s) + 1);
  });
  it('has the exact error rates, expected iterations and truncation', () => {
    // Reference: the same boundaries run through an exact rational-arithmetic DP in Python (fractions.Fraction).
    expect(plan.powerRate).toBeCloseTo(0.003, 15);
    expect(plan.maxIterations).toBe(198);
    expect(worstCaseIterations(plan.boundaries)).toBe(198);
    expect(plan.typeIError).toBeCloseTo(0.04998244386786643, 13);
    expect(plan.powerAtPowerRate).toBeCloseTo(0.8002109142357728, 13);
    const expected: Array<[number, number, number]> = [
      [0, 1, 101],
      [0.003, 0.8002109142357728, 94.90772052766381],
      [0.01, 0.41845272760371355, 74.58869563619237],
      [0.03, 0.04998244386786643, 34.88971672293907],
      [0.05, 0.005760690960475667, 20.49700544345746],
      [0.1, 2.3917594782566848e-5, 10.010138150523888],
      [0.25, 2.405401639728877e-13, 4.0000000302701455],
    ];
    for (const [rate, fixed, iterations] of expected) {
      const oc = operatingCharacteristics(plan.boundaries, rate);
      expect(oc.probabilityLow).toBeCloseTo(fixed, 12);
      expect(oc.expectedIterations).toBeCloseTo(iterations, 9);
    }
  });
  it('says "not fixed" about a suite failing a quarter of its iterations within about a dozen iterations', () => {
    const oc = operatingCharacteristics(plan.boundaries, 0.25);
    expect(oc.expectedIterations).toBeLessThan(12);
    // Up to 65 iterations a single failure decides.
    expect(decide(1, 65)).toBe('not-fixed');
    expect(decide(1, 66)).toBe('continue');
  });
  it('refuses counts beyond the truncation', () => {
    expect(decide(2, 198)).toBe('not-fixed');
    expect(() => decide(0, 199)).toThrow(RangeError);
  });
});

describe('planTargetTest: the error rates hold', () => {
  it.each([
    [{ targetRate: 0.01 }],
    [{ targetRate: 0.1 }],
    [{ targetRate: 0.03, powerRate: 0.01 }],
    [{ targetRate: 0.05, alpha: 0.01, power: 0.9 }],
    [{ targetRate: 0.2, powerRate: 0.05, alpha: 0.1, power: 0.7 }],
  ])('%j: type I error ≤ alpha and power ≥ power, exactly', (options) => {
    const p = planTargetTest(options);
    expect(p.typeIError).toBeLessThanOrEqual(p.alpha);
    expect(p.powerAtPowerRate).toBeGreaterThanOrEqual(p.power);
    expect(operatingCharacteristics(p.boundaries, p.targetRate).probabilityLow).toBeCloseTo(p.typeIError, 14);
    expect(p.cleanRunsToDecide).toBeGreaterThanOrEqual(p.fixedPlanCleanRuns);
    // Rates above the target are called fixed even less often.
    const above = [1.5, 2, 4].map((m) => operatingCharacteristics(p.boundaries, Math.min(1, m * p.targetRate)).probabilityLow);
    expect(above[0]!).toBeLessThanOrEqual(p.typeIError);
    expect(above[1]!).toBeLessThanOrEqual(above[0]!);
    expect(above[2]!).toBeLessThanOrEqual(above[1]!);
    expect(TRUNCATION_MULTIPLES.map((m) => Math.ceil(m * p.fixedPlanCleanRuns))).toContain(p.maxIterations);
  });
  it('matches brute-force enumeration of every outcome sequence of a small plan', () => {
    const small = planTargetTest({ targetRate: 0.4, powerRate: 0.1, alpha: 0.1, power: 0.7 });
    expect(small.maxIterations).toBe(10);
    const smallDecide = (failures: number, iterations: number) => decideTarget(small, failures, iterations);
    for (const rate of [0.1, 0.25, 0.4, 0.6]) {
      const exact = enumerateSequences(smallDecide, small.maxIterations, rate);
      const oc = operatingCharacteristics(small.boundaries, rate);
      expect(oc.probabilityLow).toBeCloseTo(exact.probability.get('fixed') ?? 0, 13);
      expect(oc.probabilityHigh).toBeCloseTo(exact.probability.get('not-fixed') ?? 0, 13);
      expect(oc.expectedIterations).toBeCloseTo(exact.expectedIterations, 12);
    }
    expect(enumerateSequences(smallDecide, small.maxIterations, 0.4).probability.get('fixed')).toBeCloseTo(small.typeIError, 13);
    expect(enumerateSequences(smallDecide, small.maxIterations, 0.1).probability.get('fixed')).toBeCloseTo(small.powerAtPowerRate, 13);
  });
  it('refuses impossible designs and bad options', () => {
    expect(() => planTargetTest({ targetRate: 0.03, maxIterations: 98 })).toThrow(/no sequential test within 98/);
    expect(() => planTargetTest({ targetRate: 0.03, powerRate: 0.03 })).toThrow(RangeError);
    expect(() => planTargetTest({ targetRate: 0 })).toThrow(RangeError);
    expect(() => planTargetTest({ targetRate: 0.03, alpha: 0.9, power: 0.8 })).toThrow(RangeError);
  });
});

// 20 000 seeded sweeps at each rate: the simulated shares agree with the exact ones within 4 standard errors,
// and the error rates are within 3 standard errors of their bounds.
describe('planTargetTest: simulated sweeps', () => {
  const random = new SeededRandom('sequential-target');
  const sweeps = 20_000;
  it.each([0.03, 0.045, 0.1])('calls a suite failing %f of iterations fixed at most alpha of the time', (rate) => {
    const tally = simulateMany(decide, rate, sweeps, random);
    const exact = operatingCharacteristics(plan.boundaries, rate);
    const fixed = tally.share.get('fixed') ?? 0;
    expect(exact.probabilityLow).toBeLessThanOrEqual(plan.alpha);
    expect(fixed).toBeLessThanOrEqual(plan.alpha + 3 * shareError(plan.alpha, sweeps));
    expect(Math.abs(fixed - exact.probabilityLow)).toBeLessThan(4 * shareError(Math.max(exact.probabilityLow, 1 / sweeps), sweeps));
    expect(Math.abs(tally.meanIterations - exact.expectedIterations)).toBeLessThan(4 * tally.meanError);
  });
  it.each([0.003, 0.001])('calls a suite failing %f of iterations fixed with at least the stated power', (rate) => {
    const tally = simulateMany(decide, rate, sweeps, random);
    const exact = operatingCharacteristics(plan.boundaries, rate);
    const fixed = tally.share.get('fixed') ?? 0;
    expect(fixed).toBeGreaterThanOrEqual(plan.power - 3 * shareError(plan.power, sweeps));
    expect(Math.abs(fixed - exact.probabilityLow)).toBeLessThan(4 * shareError(exact.probabilityLow, sweeps));
    expect(Math.abs(tally.meanIterations - exact.expectedIterations)).toBeLessThan(4 * tally.meanError);
  });
  it('stops a suite failing a quarter of iterations after 4 on average', () => {
    const tally = simulateMany(decide, 0.25, sweeps, random);
    expect(tally.share.get('not-fixed')).toBe(1);
    expect(Math.abs(tally.meanIterations - 4)).toBeLessThan(4 * tally.meanError);
  });
});
