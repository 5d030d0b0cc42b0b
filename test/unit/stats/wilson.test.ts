import { describe, it, expect } from 'vitest';
import { estimateRate, normalQuantile, wilsonInterval, zeroFailureUpperBound, zForConfidence } from '../../../src/stats/wilson.js';

// Reference values from scipy.stats.norm.ppf and the Wilson formula computed in Python.
describe('normalQuantile / zForConfidence', () => {
  it('matches scipy to 1e-6', () => {
    expect(zForConfidence(0.95)).toBeCloseTo(1.9599639845, 7);
    expect(zForConfidence(0.99)).toBeCloseTo(2.5758293035, 7);
    expect(zForConfidence(0.9)).toBeCloseTo(1.644853627, 7);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212336, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902323062, 6);
    expect(normalQuantile(0.9999)).toBeCloseTo(3.7190164855, 6);
    expect(normalQuantile(0.5)).toBe(0);
  });
  it('rejects probabilities outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => zForConfidence(1)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  const cases: Array<[number, number, number, number]> = [
    [0, 10, 0, 0.2775327999],
    [10, 10, 0.7224672001, 1],
    [5, 10, 0.2365930905, 0.7634069095],
    [13, 50, 0.1587152749, 0.3955315726],
    [81, 263, 0.2552885199, 0.366209577],
    [0, 50, 0, 0.0713475991],
    [1, 1, 0.2065493144, 1],
  ];
  it.each(cases)('%i/%i → [%f, %f]', (count, total, lower, upper) => {
    const ci = wilsonInterval(count, total);
    expect(ci.lower).toBeCloseTo(lower, 7);
    expect(ci.upper).toBeCloseTo(upper, 7);
  });
  it('is exact at 0/n and n/n, with no NaN', () => {
    for (const n of [1, 2, 7, 50, 1000]) {
      expect(wilsonInterval(0, n).lower).toBe(0);
      expect(wilsonInterval(n, n).upper).toBe(1);
      expect(Number.isNaN(wilsonInterval(0, n).upper)).toBe(false);
      expect(Number.isNaN(wilsonInterval(n, n).lower)).toBe(false);
    }
  });
  it('returns {0, 1} for no data', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
  });
  it('is narrower at lower confidence', () => {
    const c90 = wilsonInterval(13, 50, 0.9);
    const c95 = wilsonInterval(13, 50, 0.95);
    expect(c90.lower).toBeGreaterThan(c95.lower);
    expect(c90.upper).toBeLessThan(c95.upper);
  });
  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
  });
});

describe('zeroFailureUpperBound', () => {
  it('is the exact one-sided bound 1 − 0.05^(1/n)', () => {
    expect(zeroFailureUpperBound(50)).toBeCloseTo(0.0581550791, 9);
    expect(zeroFailureUpperBound(1)).toBeCloseTo(0.95, 12);
    expect(zeroFailureUpperBound(100, 0.99)).toBeCloseTo(1 - Math.pow(0.01, 0.01), 12);
    expect(zeroFailureUpperBound(0)).toBe(1);
  });
  it('is tighter than the Wilson upper bound at 0 failures', () => {
    expect(zeroFailureUpperBound(50)).toBeLessThan(wilsonInterval(0, 50).upper);
  });
});

describe('estimateRate', () => {
  it('carries count, total, rate and the Wilson interval', () => {
    const e = estimateRate(13, 50);
    expect(e).toMatchObject({ count: 13, total: 50, rate: 0.26 });
    expect(e.lower).toBeCloseTo(0.1587152749, 7);
    expect(e.upper).toBeCloseTo(0.3955315726, 7);
    expect(estimateRate(0, 0)).toEqual({ count: 0, total: 0, rate: 0, lower: 0, upper: 1 });
  });
});
