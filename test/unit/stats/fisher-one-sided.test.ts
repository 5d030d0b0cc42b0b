import { describe, it, expect } from 'vitest';
import { fisherExactGreater, fisherExactLess } from '../../../src/stats/fisher.js';
import { logChoose, logFactorial } from '../../../src/stats/log-factorial.js';

// Reference values from scipy.stats.fisher_exact(alternative='less' / 'greater'); the first two were also
// summed by hand from math.comb: C(50, 13) / C(67, 13), and (C(50, 14) + 26 C(50, 13)) / C(76, 14).
describe('one-sided Fisher exact tests', () => {
  const cases: Array<[number, number, number, number, number, number]> = [
    [0, 17, 13, 37, 0.013986434914397316, 1.0],
    [1, 25, 13, 37, 0.01478949787962402, 0.9986353829886632],
    [3, 1, 1, 3, 0.9857142857142858, 0.24285714285714283],
    [5, 95, 13, 37, 0.00038574709891469575, 0.9999490384218426],
    [13, 37, 0, 50, 1.0, 4.99062509801497e-5],
    [2, 8, 10, 40, 0.6840200854750023, 0.6463115655592672],
    [7, 3, 2, 8, 0.9972612526792093, 0.03488925934746368],
    [0, 0, 3, 4, 1, 1],
  ];
  it.each(cases)('[[%i, %i], [%i, %i]] → less %f, greater %f', (a, b, c, d, less, greater) => {
    expect(fisherExactLess(a, b, c, d) / less).toBeCloseTo(1, 9);
    expect(fisherExactGreater(a, b, c, d) / greater).toBeCloseTo(1, 9);
  });
  it('has tails that overlap in exactly the observed table', () => {
    // P(X ≤ a) + P(X ≥ a) = 1 + P(X = a); P(X = 1) for [[1, 9], [11, 3]] is 10·C(14, 11) / C(24, 12).
    const pointMass = Math.exp(Math.log(10) + logChoose(14, 11) - logChoose(24, 12));
    expect(fisherExactLess(1, 9, 11, 3) + fisherExactGreater(1, 9, 11, 3)).toBeCloseTo(1 + pointMass, 12);
  });
  it('rejects bad cells', () => {
    expect(() => fisherExactLess(-1, 2, 3, 4)).toThrow(RangeError);
    expect(() => fisherExactGreater(1, 2.5, 3, 4)).toThrow(RangeError);
  });
});

describe('logFactorial and logChoose', () => {
  it('are exact to double precision', () => {
    expect(logFactorial(0)).toBe(0);
    expect(Math.exp(logFactorial(10))).toBeCloseTo(3628800, 6);
    expect(Math.exp(logChoose(50, 13))).toBeCloseTo(354860518600, 0);
    expect(logChoose(5, 6)).toBe(-Infinity);
    expect(logChoose(5, -1)).toBe(-Infinity);
  });
});
