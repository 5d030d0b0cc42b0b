import { describe, expect, it } from 'vitest';

import { summarize } from '../../../src/report/summarize.js';
import { renderSummaryText } from '../../../src/report/summary-text.js';
import { quietWays, ratesByHost, regimeShift } from '../../../src/report/trend-summary.js';
import { RULES, info, result } from './fixtures.js';

const failure = (test: string, signature?: string) => [{ test, class: 'B1', message: 'Fatal Python error: Aborted', ...(signature ? { signature } : {}) }];

describe('regime shifts, hosts and quiet failures', () => {
  it('the seed\'s -n 4 sweep: clean for runs 1–90, half of 91–100 failing, is called a change at run 91', () => {
    const results = Array.from({ length: 100 }, (_, i) => (i >= 90 && i % 2 === 0 ? result(i + 1, 'failed', failure('t.py::test_kv')) : result(i + 1, 'passed')));
    const shift = regimeShift(results)!;
    expect(shift.run).toBe(91);
    expect(shift.before).toMatchObject({ count: 0, total: 90 });
    expect(shift.after).toMatchObject({ count: 5, total: 10 });
    expect(shift.p).toBeLessThan(0.001);
    expect(shift.appeared.map((f) => f.test)).toEqual(['t.py::test_kv']);
    const text = renderSummaryText(summarize(results, info('n4'), RULES));
    expect(text).toMatch(/Failure rate changed at run091: 0\/90 \(0\.0%\) before, 5\/10 \(50\.0%\) after \(p < 0\.001, permutation test\); appeared after it: t\.py::test_kv B1/);
  });

  it('no change is claimed on an even strip', () => {
    const results = Array.from({ length: 100 }, (_, i) => (i % 10 === 3 ? result(i + 1, 'failed', failure('t.py::x')) : result(i + 1, 'passed')));
    expect(regimeShift(results)).toBeNull();
  });

  it('flags a host that fails far more often than the rest', () => {
    const results = Array.from({ length: 60 }, (_, i) => {
      const onBad = i % 3 === 0;
      const r = onBad && i % 2 === 0 ? result(i + 1, 'failed', failure('t.py::x')) : result(i + 1, 'passed');
      return { ...r, host: onBad ? 'ci-7' : `ci-${1 + (i % 2)}` };
    });
    const hosts = ratesByHost(results)!;
    expect(hosts.find((h) => h.host === 'ci-7')!.flagged).toBe(true);
    expect(hosts.filter((h) => h.flagged)).toHaveLength(1);
    expect(renderSummaryText(summarize(results, info('shared'), RULES))).toMatch(/WARNING: host ci-7 fails far more often than the others: 10\/20 \(50\.0%\)/);
    expect(ratesByHost([result(1, 'passed')])).toBeNull();
  });

  it('a way of failing not seen for a while: the chance of that many clean runs if it still happened', () => {
    const results = Array.from({ length: 80 }, (_, i) => (i < 40 && i % 8 === 0 ? result(i + 1, 'failed', failure('t.py::old', 'aaaaaaaaaaaa')) : result(i + 1, 'passed')));
    const [quiet] = quietWays(results);
    // Seen 5 times in the first 33 iterations, then 47 clean: exactly B(6, 76) / B(6, 29) by the exact product.
    expect(quiet).toMatchObject({ key: 'aaaaaaaaaaaa', lastSeen: 33, occurrences: 5, cleanSince: 47 });
    let exact = 1;
    for (let j = 1; j <= 47; j += 1) exact *= (33 - 5 + j) / (33 + 1 + j);
    expect(quiet!.probabilityOfCleanStreak).toBeCloseTo(exact, 12);
    expect(quiet!.probabilityGone).toBeCloseTo(0.5 / (0.5 + 0.5 * exact), 12);
    expect(renderSummaryText(summarize(results, info('quiet'), RULES))).toMatch(/Not seen lately:\n  t\.py::old B1 \[aaaaaaaaaaaa\] — last in run033 \(5× before\), 47 clean since: at its earlier rate that would happen \d+\.\d% of the time; gone with probability \d+\.\d%/);
  });
});
