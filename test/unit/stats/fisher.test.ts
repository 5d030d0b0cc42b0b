import { describe, it, expect } from 'vitest';
import { fisherExactTwoSided } from '../../../src/stats/fisher.js';

// Reference values from scipy.stats.fisher_exact, cross-checked by summing hypergeometric terms with math.comb.
describe('fisherExactTwoSided', () => {
  const cases: Array<[number, number, number, number, number]> = [
    [3, 1, 1, 3, 0.485714285714], // Fisher's lady tasting tea
    [1, 9, 11, 3, 0.00275945618522],
    [0, 50, 13, 37, 9.98125019603e-5],
    [13, 37, 10, 40, 0.635255856723],
    [7, 12, 0, 5, 0.272068511199],
    [20, 30, 35, 15, 0.0046350201808],
    [2, 98, 9, 91, 0.0582207175803],
  ];
  it.each(cases)('[[%i, %i], [%i, %i]] → p = %f', (a, b, c, d, p) => {
    expect(fisherExactTwoSided(a, b, c, d)).toBeCloseTo(p, 9);
    expect(fisherExactTwoSided(a, b, c, d) / p).toBeCloseTo(1, 6);
  });
  it('is 1 for identical rows and degenerate tables', () => {
    expect(fisherExactTwoSided(13, 37, 13, 37)).toBeCloseTo(1, 12);
    expect(fisherExactTwoSided(0, 5, 0, 5)).toBe(1);
    expect(fisherExactTwoSided(0, 0, 0, 0)).toBe(1);
    expect(fisherExactTwoSided(0, 0, 3, 4)).toBe(1);
  });
  it('is symmetric under swapping rows and columns', () => {
    const p = fisherExactTwoSided(1, 9, 11, 3);
    expect(fisherExactTwoSided(11, 3, 1, 9)).toBeCloseTo(p, 12);
    expect(fisherExactTwoSided(9, 1, 3, 11)).toBeCloseTo(p, 12);
    expect(fisherExactTwoSided(1, 11, 9, 3)).toBeCloseTo(p, 12);
  });
  it('never exceeds 1 and rejects bad cells', () => {
    expect(fisherExactTwoSided(25, 25, 25, 25)).toBeLessThanOrEqual(1);
    expect(() => fisherExactTwoSided(-1, 2, 3, 4)).toThrow(RangeError);
    expect(() => fisherExactTwoSided(1.5, 2, 3, 4)).toThrow(RangeError);
  });
});
