import { describe, it, expect } from 'vitest';
import { hostRates } from '../../../src/stats/host-rates.js';

// p-values from scipy.stats.fisher_exact(alternative='greater') of each host against the others pooled.
describe('hostRates', () => {
  it('flags the host that fails far more often than the others, after Holm', () => {
    const rows = hostRates([
      { host: 'a', passed: 30, failed: 20 },
      { host: 'b', passed: 48, failed: 2 },
      { host: 'c', passed: 47, failed: 3 },
    ]);
    expect(rows.map((r) => r.host)).toEqual(['a', 'b', 'c']);
    expect(rows[0]!.rate).toMatchObject({ count: 20, total: 50, rate: 0.4 });
    expect(rows[0]!.othersRate).toBeCloseTo(0.05, 15);
    expect(rows[0]!.ratio).toBeCloseTo(8, 12);
    expect(rows[0]!.p / 1.9561542651171376e-7).toBeCloseTo(1, 9);
    expect(rows[1]!.p).toBeCloseTo(0.9997837260016403, 12);
    expect(rows[2]!.p).toBeCloseTo(0.9982268379015605, 12);
    // Holm: the smallest × 3; then max(running, 0.99822 × 2 → 1), then 0.99978 × 1 → still 1.
    expect(rows[0]!.adjustedP / (3 * 1.9561542651171376e-7)).toBeCloseTo(1, 9);
    expect(rows[1]!.adjustedP).toBe(1);
    expect(rows[2]!.adjustedP).toBe(1);
    expect(rows.map((r) => r.flagged)).toEqual([true, false, false]);
  });
  it('does not flag a host that is only somewhat worse, however significant', () => {
    // 30% against 20%: p = 6.7e-13, but 1.5 times the others.
    const rows = hostRates([
      { host: 'big', passed: 700, failed: 300 },
      { host: 'rest', passed: 8000, failed: 2000 },
    ]);
    expect(rows[0]!.p / 6.736954541828848e-13).toBeCloseTo(1, 8);
    expect(rows[0]!.ratio).toBeCloseTo(1.5, 12);
    expect(rows[0]!.flagged).toBe(false);
  });
  it('does not flag a host that is far worse on too few iterations', () => {
    // 1 of 4 against 5 of 100: five times the rate, p = 0.214.
    const rows = hostRates([
      { host: 'new', passed: 3, failed: 1 },
      { host: 'old', passed: 95, failed: 5 },
    ]);
    expect(rows[0]!.p).toBeCloseTo(0.2144016932115388, 12);
    expect(rows[0]!.ratio).toBeCloseTo(5, 12);
    expect(rows[0]!.flagged).toBe(false);
  });
  it('flags a failing host when the others never fail', () => {
    // 4 of 10 against 0 of 40: p = 0.000912, adjusted × 2.
    const rows = hostRates([
      { host: 'broken', passed: 6, failed: 4 },
      { host: 'fine', passed: 40, failed: 0 },
    ]);
    expect(rows[0]!.ratio).toBeNull();
    expect(rows[0]!.p).toBeCloseTo(0.0009118541033434651, 12);
    expect(rows[0]!.adjustedP).toBeCloseTo(2 * 0.0009118541033434651, 12);
    expect(rows[0]!.flagged).toBe(true);
    expect(rows[1]!.flagged).toBe(false);
  });
  it('has nothing to compare with one host, or none', () => {
    const [only] = hostRates([{ host: 'solo', passed: 10, failed: 5 }]);
    expect(only).toMatchObject({ othersRate: 0, ratio: null, p: 1, adjustedP: 1, flagged: false });
    expect(hostRates([])).toEqual([]);
    expect(hostRates([{ host: 'idle', passed: 0, failed: 0 }, { host: 'busy', passed: 9, failed: 1 }])[0]).toMatchObject({ p: 1, flagged: false });
  });
});
