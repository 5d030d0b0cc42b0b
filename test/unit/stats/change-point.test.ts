import { describe, it, expect } from 'vitest';
import { changePoint } from '../../../src/stats/change-point.js';
import { SeededRandom } from '../../../src/stats/random.js';

// The seed's -n 4 sweep: runs 1–90 clean, then 91, 96, 98, 99 and 100 failed.
const seedSweep = Array.from({ length: 100 }, (_, i) => [91, 96, 98, 99, 100].includes(i + 1));

/** Independent statistic: the largest log-likelihood ratio of two rates against one over all splits. */
function statistic(strip: boolean[]): number {
  const logLik = (x: number, m: number): number => (x === 0 || x === m ? 0 : x * Math.log(x / m) + (m - x) * Math.log(1 - x / m));
  const total = strip.filter(Boolean).length;
  let best = -Infinity;
  for (let k = 1; k < strip.length; k++) {
    const before = strip.slice(0, k).filter(Boolean).length;
    best = Math.max(best, logLik(before, k) + logLik(total - before, strip.length - k) - logLik(total, strip.length));
  }
  return best;
}

describe('changePoint', () => {
  it('finds the seed sweep’s change at run 91 with a small p', () => {
    const result = changePoint(seedSweep)!;
    expect(result.split).toBe(90);
    expect(result.before).toMatchObject({ count: 0, total: 90, rate: 0 });
    expect(result.after).toMatchObject({ count: 5, total: 10, rate: 0.5 });
    // 10 ln(1/2) − [5 ln(0.05) + 95 ln(0.95)]
    expect(result.statistic).toBeCloseTo(10 * Math.log(0.5) - 5 * Math.log(0.05) - 95 * Math.log(0.95), 10);
    expect(result.permutations).toBe(1999);
    expect(result.p).toBe(1 / 2000);
  });

  it('agrees with the exact permutation p-value of small strips, by enumeration of every arrangement', () => {
    const strips = ['000100110100', '110000000001', '000000001111', '010101010101', '100000000000'];
    for (const text of strips) {
      const strip = [...text].map((c) => c === '1');
      const n = strip.length;
      const failures = strip.filter(Boolean).length;
      const observed = statistic(strip);
      let extreme = 0;
      let arrangements = 0;
      for (let bits = 0; bits < 2 ** n; bits++) {
        const arrangement = Array.from({ length: n }, (_, i) => ((bits >> i) & 1) === 1);
        if (arrangement.filter(Boolean).length !== failures) continue;
        arrangements++;
        if (statistic(arrangement) >= observed - 1e-9) extreme++;
      }
      const exact = extreme / arrangements;
      const result = changePoint(strip, { permutations: 20_000, seed: text })!;
      expect(result.statistic).toBeCloseTo(observed, 10);
      expect(Math.abs(result.p - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / 20_000) + 1 / 20_001);
    }
  });

  it('raises a false alarm at most alpha of the time on strips without a change, with the default seed', () => {
    const random = new SeededRandom('no change');
    let strips = 0;
    let alarms = 0;
    for (const length of [30, 100, 250]) {
      for (const rate of [0.03, 0.2, 0.5]) {
        let here = 0;
        for (let i = 0; i < 200; i++) {
          const strip = Array.from({ length }, () => random.nextFloat() < rate);
          const result = changePoint(strip, { permutations: 199 });
          if (result && result.p <= 0.05) here++;
        }
        // 200 strips: a standard error of 0.0154 at 0.05.
        expect(here / 200).toBeLessThanOrEqual(0.05 + 3 * 0.0154);
        strips += 200;
        alarms += here;
      }
    }
    expect(alarms / strips).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / strips));
  });

  it('finds a real shift most of the time, near where it is', () => {
    const random = new SeededRandom('shift');
    let found = 0;
    const splits: number[] = [];
    for (let i = 0; i < 100; i++) {
      const strip = Array.from({ length: 100 }, (_, k) => random.nextFloat() < (k < 60 ? 0.02 : 0.3));
      const result = changePoint(strip, { permutations: 199, seed: i });
      if (result && result.p <= 0.05) {
        found++;
        splits.push(result.split);
      }
    }
    expect(found).toBeGreaterThanOrEqual(80);
    splits.sort((a, b) => a - b);
    expect(Math.abs(splits[Math.floor(splits.length / 2)]! - 60)).toBeLessThanOrEqual(5);
  });

  it('is the same for a strip and its complement, and for the same seed', () => {
    const flipped = seedSweep.map((f) => !f);
    const a = changePoint(seedSweep, { permutations: 499 })!;
    const b = changePoint(flipped, { permutations: 499 })!;
    expect(b.split).toBe(a.split);
    expect(b.p).toBe(a.p);
    expect(b.statistic).toBeCloseTo(a.statistic, 10);
    const strip = [...'0010000100000100001100010'].map((c) => c === '1');
    expect(changePoint(strip, { seed: 7 })).toEqual(changePoint(strip, { seed: 7 }));
  });

  it('handles the edges', () => {
    expect(changePoint([])).toBeNull();
    expect(changePoint([true])).toBeNull();
    expect(changePoint(Array(50).fill(false))).toBeNull();
    expect(changePoint(Array(50).fill(true))).toBeNull();
    // One failure in two: every arrangement is as extreme as the observed one.
    expect(changePoint([false, true])).toMatchObject({ split: 1, p: 1, before: { count: 0, total: 1 }, after: { count: 1, total: 1 } });
    expect(() => changePoint([false, true], { permutations: 0 })).toThrow(RangeError);
  });
});
