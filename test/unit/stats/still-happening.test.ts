import { describe, it, expect } from 'vitest';
import { stillHappening } from '../../../src/stats/still-happening.js';
import { SeededRandom } from '../../../src/stats/random.js';

describe('stillHappening', () => {
  it('gives the exact chance of the clean streak and the posterior that it is gone', () => {
    // 1 of 1, then 1 clean: θ ~ Beta(2, 1), E[1 − θ] = 1/3; gone = (1/2) / (1/2 + 1/6) = 3/4.
    expect(stillHappening(1, 1, 1)).toEqual({ probabilityOfCleanStreak: expect.closeTo(1 / 3, 14), probabilityGone: expect.closeTo(0.75, 14), priorGone: 0.5 });
    // 1 of 1, then m clean: 2 / ((m + 1)(m + 2)); for m = 8 that is 1/45 and gone = 45/46.
    expect(stillHappening(1, 1, 8).probabilityOfCleanStreak).toBeCloseTo(1 / 45, 14);
    expect(stillHappening(1, 1, 8).probabilityGone).toBeCloseTo(45 / 46, 14);
    // 5 of 5, then 3 clean: 3! 6! / 9! = 1/84.
    expect(stillHappening(5, 5, 3).probabilityOfCleanStreak).toBeCloseTo(1 / 84, 14);
  });
  // Reference: exact fractions of factorials in Python, cross-checked with scipy.special.beta.
  it.each([
    [13, 50, 10, 0.05742103836284555, 0.9456970910549048, 0.8530508101199394],
    [13, 50, 40, 0.00012101718167271411, 0.9998789974617135, 0.999637080213571],
    [2, 100, 150, 0.06399462391398263, 0.9398543728740154, 0.838937525671899],
  ])('%i of %i then %i clean', (x, n, m, streak, gone, goneAtQuarter) => {
    const result = stillHappening(x, n, m);
    expect(result.probabilityOfCleanStreak / streak).toBeCloseTo(1, 12);
    expect(result.probabilityGone).toBeCloseTo(gone, 12);
    expect(stillHappening(x, n, m, 0.25).probabilityGone).toBeCloseTo(goneAtQuarter, 12);
  });
  it('agrees with simulating rates from the posterior', () => {
    // θ from Beta(14, 38), then 10 Bernoulli(θ) iterations: how often are all 10 clean?
    const random = new SeededRandom('still happening');
    const draws = 100_000;
    let clean = 0;
    for (let i = 0; i < draws; i++) {
      const theta = random.nextBeta(14, 38);
      let all = true;
      for (let k = 0; k < 10 && all; k++) all = random.nextFloat() >= theta;
      if (all) clean++;
    }
    const exact = stillHappening(13, 50, 10).probabilityOfCleanStreak;
    expect(Math.abs(clean / draws - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / draws));
  });
  it('says nothing new without clean iterations, and more with more of them', () => {
    expect(stillHappening(3, 20, 0)).toEqual({ probabilityOfCleanStreak: 1, probabilityGone: 0.5, priorGone: 0.5 });
    expect(stillHappening(30, 30, 5000).probabilityOfCleanStreak).toBeGreaterThan(0);
    const gone = [1, 5, 20, 80].map((m) => stillHappening(3, 20, m).probabilityGone);
    for (let i = 1; i < gone.length; i++) expect(gone[i]!).toBeGreaterThan(gone[i - 1]!);
  });
  it('rejects impossible counts and priors', () => {
    expect(() => stillHappening(0, 10, 5)).toThrow(RangeError);
    expect(() => stillHappening(11, 10, 5)).toThrow(RangeError);
    expect(() => stillHappening(1, 10, -1)).toThrow(RangeError);
    expect(() => stillHappening(1, 10, 2.5)).toThrow(RangeError);
    expect(() => stillHappening(1, 10, 5, 1)).toThrow(RangeError);
  });
});
