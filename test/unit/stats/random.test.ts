import { describe, it, expect } from 'vitest';
import { SeededRandom } from '../../../src/stats/random.js';
import { logChoose } from '../../../src/stats/log-factorial.js';

// Reference streams from an independent Python implementation of FNV-1a (UTF-8), splitmix32 and
// xoshiro128** 1.1; that xoshiro core gives the published 11520, 0, 5927040, 70819200 … from state {1, 2, 3, 4}.
describe('SeededRandom', () => {
  it('reproduces the reference streams', () => {
    const take = (seed: string | number, n: number): number[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: n }, () => random.nextUint32());
    };
    expect(take('flakehunt', 6)).toEqual([1380650783, 1531437309, 3617919265, 2202667483, 1459321459, 335687626]);
    expect(take(42, 6)).toEqual([2447574668, 83611676, 1450857151, 3184297927, 3870495334, 2639078220]);
    expect(take('42', 3)).toEqual(take(42, 3));
    expect(take('é✓', 3)).toEqual([1510226196, 429994366, 326690735]);
    expect(new SeededRandom('flakehunt').nextFloat()).toBe(0.3214578059059793);
  });

  it('gives different streams for different seeds and refuses non-finite ones', () => {
    expect(new SeededRandom(1).nextUint32()).not.toBe(new SeededRandom(2).nextUint32());
    expect(() => new SeededRandom(Number.NaN)).toThrow(RangeError);
  });

  it('draws floats in [0, 1) with mean 1/2 and variance 1/12', () => {
    const random = new SeededRandom('floats');
    let sum = 0;
    let sumSquares = 0;
    let outside = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = random.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSquares += u * u;
    }
    expect(outside).toBe(0);
    // Standard errors: 0.00091 for the mean, 0.00027 for the variance.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(sumSquares / n - (sum / n) ** 2 - 1 / 12)).toBeLessThan(0.0012);
  });

  it('draws integers uniformly (chi-square over 7 values) and checks its bound', () => {
    const random = new SeededRandom('ints');
    const counts = new Array<number>(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[random.nextInt(7)]!++;
    const chiSquare = counts.reduce((acc, c) => acc + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chiSquare).toBeLessThan(22.46); // the 0.999 quantile of chi-square with 6 degrees of freedom
    expect(new SeededRandom(3).nextInt(1)).toBe(0);
    expect(() => random.nextInt(0)).toThrow(RangeError);
    expect(() => random.nextInt(2.5)).toThrow(RangeError);
  });

  it('shuffles into every permutation equally often', () => {
    const random = new SeededRandom('shuffle');
    const counts = new Map<string, number>();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const key = random.shuffle(['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['abc', 'acb', 'bac', 'bca', 'cab', 'cba']);
    const chiSquare = [...counts.values()].reduce((acc, c) => acc + (c - n / 6) ** 2 / (n / 6), 0);
    expect(chiSquare).toBeLessThan(20.52); // 0.999 quantile, 5 degrees of freedom
    const items = [5, 1, 4];
    expect(random.shuffle(items)).toBe(items);
    expect([...items].sort()).toEqual([1, 4, 5]);
  });

  // Kolmogorov–Smirnov distance of 20 000 draws from the exact CDF; the 0.999 critical value is 1.95/√n = 0.0138.
  const ksDistance = (draws: number[], cdf: (x: number) => number): number => {
    draws.sort((x, y) => x - y);
    return draws.reduce((worst, x, i) => Math.max(worst, Math.abs(cdf(x) - i / draws.length), Math.abs(cdf(x) - (i + 1) / draws.length)), 0);
  };
  // For integer shapes, P(Beta(a, b) ≤ x) = P(Binomial(a + b − 1, x) ≥ a).
  const betaCdf = (a: number, b: number) => (x: number): number => {
    let p = 0;
    for (let k = a; k <= a + b - 1; k++) p += Math.exp(logChoose(a + b - 1, k) + k * Math.log(x) + (a + b - 1 - k) * Math.log1p(-x));
    return p;
  };
  it.each([
    [2, 5],
    [1, 1],
    [14, 38],
    [1, 60],
  ])('draws Beta(%i, %i) with the exact distribution', (a, b) => {
    const random = new SeededRandom(`beta ${a} ${b}`);
    const draws = Array.from({ length: 20_000 }, () => random.nextBeta(a, b));
    expect(ksDistance(draws, betaCdf(a, b))).toBeLessThan(0.0138);
  });
  it('draws Beta(1/2, 1/2) (the arcsine law) through the small-shape path', () => {
    const random = new SeededRandom('arcsine');
    const draws = Array.from({ length: 20_000 }, () => random.nextBeta(0.5, 0.5));
    expect(ksDistance(draws, (x) => (2 / Math.PI) * Math.asin(Math.sqrt(x)))).toBeLessThan(0.0138);
    expect(() => random.nextBeta(0, 1)).toThrow(RangeError);
  });
  it('stays inside (0, 1) for tiny shapes', () => {
    const random = new SeededRandom('tiny');
    const draws = Array.from({ length: 1000 }, () => random.nextBeta(0.01, 0.01));
    expect(draws.filter((x) => !(x >= 0 && x <= 1))).toEqual([]);
  });
});
