import { describe, it, expect } from 'vitest';
import { holmAdjust } from '../../../src/stats/multiplicity.js';

// Worked by hand as R's p.adjust(p, "holm") computes it: sort, multiply the i-th smallest by m − i + 1,
// take running maxima, cap at 1, put back in the input order.
describe('holmAdjust', () => {
  const cases: Array<[number[], number[]]> = [
    // 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → max so far 0.06
    [[0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]],
    // 0.001·5, 0.02·4, 0.03·3, 0.04·2 = 0.08 → 0.09, 0.5·1
    [[0.02, 0.001, 0.5, 0.04, 0.03], [0.08, 0.005, 0.5, 0.09, 0.09]],
    // ties: 0.01·3 and 0.01·2 → 0.03 both
    [[0.01, 0.01, 0.2], [0.03, 0.03, 0.2]],
    // 0.4·2 = 0.8, then 0.6 → 0.8
    [[0.4, 0.6], [0.8, 0.8]],
    // 0.3·3 = 0.9, 0.7·2 → capped at 1, 0.9 → 1
    [[0.7, 0.9, 0.3], [1, 1, 0.9]],
    [[0.042], [0.042]],
    [[], []],
  ];
  it.each(cases)('%j → %j', (p, expected) => {
    const adjusted = holmAdjust(p);
    expect(adjusted).toHaveLength(expected.length);
    adjusted.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 14));
  });
  it('never lowers a p-value and keeps the order of the rows', () => {
    const p = [0.2, 0.001, 0.03, 0.5, 0.004, 0.01];
    const adjusted = holmAdjust(p);
    adjusted.forEach((a, i) => expect(a).toBeGreaterThanOrEqual(p[i]!));
    const byP = [...p.keys()].sort((a, b) => p[a]! - p[b]!);
    for (let k = 1; k < byP.length; k++) expect(adjusted[byP[k]!]!).toBeGreaterThanOrEqual(adjusted[byP[k - 1]!]!);
  });
  it('rejects what is not a p-value', () => {
    expect(() => holmAdjust([0.1, Number.NaN])).toThrow(RangeError);
    expect(() => holmAdjust([1.2])).toThrow(RangeError);
    expect(() => holmAdjust([-0.1])).toThrow(RangeError);
  });
});
