import { describe, it, expect } from 'vitest';
import { cleanRunsNeeded, runsToDistinguish } from '../../../src/stats/sample-size.js';
import { zeroFailureUpperBound } from '../../../src/stats/wilson.js';

describe('cleanRunsNeeded', () => {
  it('matches ceil(ln(1 − c) / ln(1 − p))', () => {
    expect(cleanRunsNeeded(0.03, 0.95)).toBe(99); // 98.35; the rule of three says ~100
    expect(cleanRunsNeeded(0.01, 0.95)).toBe(299); // 298.07
    expect(cleanRunsNeeded(0.01, 0.99)).toBe(459); // 458.21
    expect(cleanRunsNeeded(0.5, 0.75)).toBe(2); // exactly 2, not pushed to 3 by rounding
  });
  it('is consistent with zeroFailureUpperBound', () => {
    const n = cleanRunsNeeded(0.03, 0.95);
    expect(zeroFailureUpperBound(n)).toBeLessThan(0.03);
    expect(zeroFailureUpperBound(n - 1)).toBeGreaterThan(0.03);
  });
  it('rejects rates outside (0, 1)', () => {
    expect(() => cleanRunsNeeded(0, 0.95)).toThrow(RangeError);
    expect(() => cleanRunsNeeded(0.03, 1)).toThrow(RangeError);
  });
});

describe('runsToDistinguish', () => {
  // Reference: the two-proportion formula evaluated in Python with scipy's norm.ppf.
  it('gives per-group n from the normal approximation', () => {
    expect(runsToDistinguish(0.26, 0.2)).toBe(772); // 771.06
    expect(runsToDistinguish(0, 0.26)).toBe(26); // 25.05
    expect(runsToDistinguish(0.1, 0.05)).toBe(435); // 434.43
    expect(runsToDistinguish(0.3, 0.1)).toBe(62); // 61.60
  });
  it('is symmetric and needs more runs for more power', () => {
    expect(runsToDistinguish(0.2, 0.26)).toBe(runsToDistinguish(0.26, 0.2));
    expect(runsToDistinguish(0.3, 0.1, 0.05, 0.9)!).toBeGreaterThan(runsToDistinguish(0.3, 0.1)!);
  });
  it('returns null for equal rates', () => {
    expect(runsToDistinguish(0.2, 0.2)).toBeNull();
    expect(runsToDistinguish(0, 0)).toBeNull();
  });
});
