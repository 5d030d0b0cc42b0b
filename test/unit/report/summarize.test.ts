import { describe, it, expect } from 'vitest';
import { summarize } from '../../../src/report/summarize.js';
import { RULES, info, result } from './fixtures.js';

const infra = { test: null, class: 'A5', message: 'Connection reset by peer' };

describe('summarize', () => {
  const results = [
    result(3, 'failed', [
      { test: 'tests/t.py::test_b', class: 'A2', message: 'b later' },
      { test: 'tests/t.py::test_a', class: 'A1', message: 'a first (run 3)' },
    ], 3000),
    result(1, 'passed', [], 1000),
    result(2, 'failed', [{ test: 'tests/t.py::test_b', class: 'A2', message: 'b first (run 2)' }], 2000),
    result(4, 'error'),
    result(5, 'interrupted'),
    result(6, 'failed', [infra], 6000),
    result(7, 'failed', [{ test: 'tests/t.py::test_c', class: 'Z9', message: 'unknown class' }], 7000),
    result(8, 'failed', [{ test: 'tests/t.py::test_b', class: 'UNCLASSIFIED', message: 'weird' }, infra], 8000),
    result(9, 'passed', [], 9000),
  ];

  it('counts statuses and leaves errors and interrupted out of the rates', () => {
    const s = summarize(results, info('base'), RULES);
    expect(s.results.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([s.finished, s.passed, s.failed, s.errors, s.interrupted]).toEqual([9, 2, 5, 1, 1]);
    expect(s.counted).toBe(7);
    expect(s.failure).toMatchObject({ count: 5, total: 7 });
    expect(s.failedRuns).toEqual([2, 3, 6, 7, 8]);
    expect(s.meanDurationMs).toBeCloseTo((1000 + 2000 + 3000 + 6000 + 7000 + 8000 + 9000) / 7, 9);
    expect(s.excludedRuns).toBeUndefined();
  });

  it('counts unknown classes and UNCLASSIFIED as test bugs, infrastructure-only iterations not', () => {
    const s = summarize(results, info('base'), RULES);
    // Runs 2, 3, 7 (Z9), 8 (UNCLASSIFIED + A5) are test-bug failures; run 6 is A5 only.
    expect(s.testBugFailure).toMatchObject({ count: 4, total: 7 });
  });

  it('orders classes by rule order, unknown ids next, UNCLASSIFIED last, only those that occurred', () => {
    const s = summarize(results, info('base'), RULES);
    expect(s.classes.map((c) => c.id)).toEqual(['A1', 'A2', 'A5', 'Z9', 'UNCLASSIFIED']);
    const byId = Object.fromEntries(s.classes.map((c) => [c.id, c]));
    expect(byId.A2?.runNumbers).toEqual([2, 3]);
    expect(byId.A2?.runs).toMatchObject({ count: 2, total: 7 });
    expect(byId.A5?.kind).toBe('infrastructure');
    expect(byId.A5?.runNumbers).toEqual([6, 8]);
    expect(byId.Z9?.kind).toBe('test-bug');
    expect(byId.UNCLASSIFIED?.kind).toBe('unclassified');
  });

  it('lists failing tests by count, then name, with the first message from the lowest iteration', () => {
    const s = summarize(results, info('base'), RULES);
    expect(s.tests.map((t) => [t.test, t.runs.count])).toEqual([
      ['tests/t.py::test_b', 3],
      ['tests/t.py::test_a', 1],
      ['tests/t.py::test_c', 1],
    ]);
    expect(s.tests[0]?.firstMessage).toBe('b first (run 2)');
    expect(s.tests[0]?.runNumbers).toEqual([2, 3, 8]);
    expect(s.tests[0]?.classes).toEqual(['A2', 'UNCLASSIFIED']);
  });

  it('removes infrastructure-only failures from the counted iterations when asked', () => {
    const s = summarize(results, info('base'), RULES, { excludeInfrastructure: true });
    expect(s.counted).toBe(6);
    expect(s.failed).toBe(5);
    expect(s.failure).toMatchObject({ count: 4, total: 6 });
    expect(s.testBugFailure).toMatchObject({ count: 4, total: 6 });
    expect(s.failedRuns).toEqual([2, 3, 7, 8]);
    expect(s.excludedRuns).toEqual([6]);
    // Run 8 mixes A5 with UNCLASSIFIED, so it stays and A5 still shows for it.
    expect(s.classes.find((c) => c.id === 'A5')?.runNumbers).toEqual([8]);
  });

  it('handles a sweep with nothing counted', () => {
    const s = summarize([result(1, 'error')], info('empty'), RULES);
    expect(s.counted).toBe(0);
    expect(s.failure).toEqual({ count: 0, total: 0, rate: 0, lower: 0, upper: 1 });
    expect(s.meanDurationMs).toBeNull();
    expect(s.classes).toEqual([]);
  });
});
