import { describe, it, expect } from 'vitest';
import { decide, sequentialPlanSummary } from '../../../src/stats/sequential.js';
import { planTargetTest } from '../../../src/stats/sequential-target.js';
import { planBaselineTest } from '../../../src/stats/sequential-baseline.js';

describe('decide', () => {
  it('answers in each plan’s own words', () => {
    const target = planTargetTest({ targetRate: 0.03 });
    expect(decide(target, 0, 101)).toBe('fixed');
    expect(decide(target, 1, 5)).toBe('not-fixed');
    expect(decide(target, 0, 50)).toBe('continue');
    const baseline = planBaselineTest({ baselineFailures: 13, baselineIterations: 50 });
    expect(decide(baseline, 0, 12)).toBe('better');
    expect(decide(baseline, 2, 20)).toBe('not-better');
    expect(decide(baseline, 0, 5)).toBe('continue');
  });
});

describe('sequentialPlanSummary', () => {
  it('gives the target plan’s figures at the named rates beside the fixed plan', () => {
    const summary = sequentialPlanSummary(planTargetTest({ targetRate: 0.03 }), [0, 0.03, 0.25]);
    expect(summary).toMatchObject({ mode: 'target', referenceRate: 0.03, cleanRunsToDecide: 101, fixedPlanIterations: 99, worstCaseIterations: 198 });
    expect(summary.typeIError).toBeLessThanOrEqual(0.05);
    expect(summary.rates.map((r) => r.rate)).toEqual([0, 0.03, 0.25]);
    expect(summary.rates[0]!.expectedIterations).toBe(101);
    expect(summary.rates[1]!.expectedIterations).toBeCloseTo(34.88971672293907, 9);
    expect(summary.rates[2]!.expectedIterations).toBeCloseTo(4, 6);
    // Plain data: it survives JSON.
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
  it('defaults to never failing, the power rate and the baseline rate', () => {
    const summary = sequentialPlanSummary(planBaselineTest({ baselineFailures: 13, baselineIterations: 50 }));
    expect(summary).toMatchObject({ mode: 'baseline', referenceRate: 0.26, cleanRunsToDecide: 12, fixedPlanIterations: 27, worstCaseIterations: 20 });
    expect(summary.rates.map((r) => r.rate)).toEqual([0, summary.powerRate, 0.26]);
    expect(summary.powerRate).toBeCloseTo(0.026, 15);
    expect(summary.rates[1]!.probabilityLow).toBe(summary.powerAtPowerRate);
  });
});
