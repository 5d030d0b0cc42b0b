import { describe, it, expect } from 'vitest';
import { compareSweeps, formatP, renderComparisonText } from '../../../src/report/compare.js';
import { summarize } from '../../../src/report/summarize.js';
import { RULES, info, result, sweepResults } from './fixtures.js';

const FAILED_13 = [6, 8, 10, 11, 12, 13, 14, 20, 21, 30, 33, 40, 45];
const base = summarize(sweepResults(50, FAILED_13), info('serial_base'), RULES);

describe('compareSweeps', () => {
  it('finds 0/50 against 13/50 significant (Fisher p ≈ 1.0e-4)', () => {
    const fixed = summarize(sweepResults(50, []), info('serial_fix13'), RULES);
    const c = compareSweeps(base, fixed);
    const overall = c.rows[0]!;
    expect(overall.kind).toBe('overall');
    expect(overall.a).toMatchObject({ count: 13, total: 50 });
    expect(overall.b).toMatchObject({ count: 0, total: 50 });
    expect(overall.difference).toBeCloseTo(-0.26, 12);
    expect(overall.pValue).toBeCloseTo(9.98125019603e-5, 10);
    expect(overall.significant).toBe(true);
    expect(overall.verdict).toBe('fewer failures with serial_fix13, p < 0.001');
    // The class and the test that only sweep a had get rows too, with 0/50 for sweep b.
    expect(c.rows.map((r) => `${r.kind}:${r.key}`)).toEqual(['overall:overall', 'class:A1', 'test:tests/test_x.py::test_a']);
    expect(c.rows[1]!.b).toMatchObject({ count: 0, total: 50 });
    // Plain data: survives JSON.
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('says "more failures" the other way round', () => {
    const fixed = summarize(sweepResults(50, []), info('serial_fix13'), RULES);
    expect(compareSweeps(fixed, base).rows[0]!.verdict).toBe('more failures with serial_base, p < 0.001');
  });

  it('is not significant for 13/50 against 10/50 and suggests how many more runs', () => {
    const other = summarize(sweepResults(50, FAILED_13.slice(0, 10)), info('serial_try'), RULES);
    const overall = compareSweeps(base, other).rows[0]!;
    expect(overall.pValue).toBeCloseTo(0.635255856723, 9);
    expect(overall.significant).toBe(false);
    // runsToDistinguish(0.26, 0.2) = 772 per sweep, less the 50 each already has.
    expect(overall.moreRunsNeeded).toBe(722);
    expect(overall.verdict).toBe('no significant difference at these counts — run about 722 more iterations per sweep to tell');
  });

  it('says "no difference observed" for equal rates', () => {
    const same = summarize(sweepResults(50, FAILED_13), info('serial_again'), RULES);
    const overall = compareSweeps(base, same).rows[0]!;
    expect(overall.pValue).toBeCloseTo(1, 9);
    expect(overall.significant).toBe(false);
    expect(overall.moreRunsNeeded).toBeNull();
    expect(overall.verdict).toBe('no difference observed');
  });

  it('adds a test-bug row when infrastructure failures are present and rows for classes only in b', () => {
    const noisy = summarize(
      [...sweepResults(40, []), ...Array.from({ length: 10 }, (_, i) => result(41 + i, 'failed', [{ test: null, class: 'A5', message: 'reset' }]))],
      info('noisy'),
      RULES,
    );
    const c = compareSweeps(base, noisy);
    expect(c.rows.map((r) => r.key)).toEqual(['overall', 'test-bug', 'A1', 'A5', 'tests/test_x.py::test_a']);
    const testBug = c.rows[1]!;
    expect(testBug.b).toMatchObject({ count: 0, total: 50 });
    expect(testBug.significant).toBe(true);
    expect(c.rows[3]!.a).toMatchObject({ count: 0, total: 50 });
    expect(c.rows[3]!.label).toContain('[infra]');
  });
});

describe('formatP', () => {
  it('words p-values', () => {
    expect(formatP(0.0041)).toBe('p = 0.004');
    expect(formatP(0.01)).toBe('p = 0.01');
    expect(formatP(0.049)).toBe('p = 0.049');
    expect(formatP(0.635)).toBe('p = 0.64');
    expect(formatP(0.0001)).toBe('p < 0.001');
  });
});

describe('renderComparisonText', () => {
  it('prints an aligned table with one line per row', () => {
    const fixed = summarize(sweepResults(50, []), info('serial_fix13'), RULES);
    const text = renderComparisonText(compareSweeps(base, fixed));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(7); // title, header, overall, A1, test_a, the Holm note, what is under test
    expect(lines[5]).toBe('The first row is the test; the 2 below it are Holm-adjusted for their number (p shown adjusted).');
    expect(lines[6]).toBe('Same image and settings: a difference is chance, or something outside the sweeps.');
    expect(lines[0]).toContain('serial_fix13 (b) against serial_base (a)');
    expect(lines[2]).toMatch(/^all failures\s+13\/50 26\.0%\s+0\/50 0\.0%\s+−26\.0 pp\s+<0\.001\s+fewer failures with serial_fix13, p < 0\.001$/);
    // The verdict column starts at the same place on every row.
    const starts = lines.slice(2, 5).map((l) => l.search(/(fewer|more|no|not) /));
    expect(new Set(starts).size).toBe(1);
  });
});

describe('compareSweeps: fair comparisons', () => {
  it('warns that two sweeps ran different tests, and shows the image as the difference under test', () => {
    const whole = summarize(sweepResults(50, FAILED_13), { ...info('serial_file'), nodeids: ['tests/router/test_router_e2e_with_mockers.py'] }, RULES);
    const one = summarize(sweepResults(50, []), { ...info('serial_one'), image: 'flaky:fix', nodeids: ['tests/router/test_router_e2e_with_mockers.py::test_router_decisions'] }, RULES);
    const c = compareSweeps(whole, one);
    expect(c.warnings).toEqual([expect.stringMatching(/^they ran different tests \(a: tests\/router\/test_router_e2e_with_mockers\.py; b: .*::test_router_decisions\): the rates are of different things$/)]);
    expect(c.differences.find((d) => d.kind === 'under-test')).toMatchObject({ what: 'image', a: 'flaky:latest', b: 'flaky:fix' });
    const text = renderComparisonText(c);
    expect(text).toContain('Under test: image flaky:latest → flaky:fix.');
    expect(text).toMatch(/WARNING: they ran different tests/);
  });

  it('shows another bind-mounted suite as the difference under test, and one image under two names as none', () => {
    const before = summarize(sweepResults(50, FAILED_13), { ...info('serial_before'), mounts: ['/tmp/suite:/suite:ro'] }, RULES);
    const after = summarize(sweepResults(50, []), { ...info('serial_after'), mounts: ['/tmp/suite-fixed:/suite:ro'] }, RULES);
    const c = compareSweeps(before, after);
    expect(c.differences).toEqual([{ what: 'mounts', a: '/tmp/suite:/suite:ro', b: '/tmp/suite-fixed:/suite:ro', kind: 'under-test' }]);
    expect(renderComparisonText(c)).toContain('Under test: mounts /tmp/suite:/suite:ro → /tmp/suite-fixed:/suite:ro.');
    const id = `sha256:${'c'.repeat(64)}`;
    const replay = summarize(sweepResults(50, []), { ...info('replay'), image: id, imageId: id }, RULES);
    const original = summarize(sweepResults(50, []), { ...info('hunt'), imageId: id }, RULES);
    expect(compareSweeps(original, replay).differences).toEqual([]);
  });

  it('warns about another parallelism too', () => {
    const n4 = summarize(sweepResults(50, []), { ...info('n4'), parallelism: '4' }, RULES);
    const c = compareSweeps(base, n4);
    expect(c.warnings).toEqual(['different parallelism (a: serial; b: 4): the rates may differ because of it, not of the change under test']);
    // Not also "same image and settings", which the warning contradicts.
    const text = renderComparisonText(c);
    expect(text).toContain('WARNING: different parallelism');
    expect(text).not.toContain('Same image and settings');
  });

  it('words a row that stays significant once adjusted with its adjusted p, as its p column shows', () => {
    const fixed = summarize(sweepResults(50, []), info('serial_fix13'), RULES);
    const c = compareSweeps(base, fixed);
    const row = c.rows.find((r) => r.kind === 'class')!;
    expect(row.significant).toBe(true);
    expect(row.adjustedP).not.toBeNull();
    expect(row.adjustedP!).toBeGreaterThanOrEqual(row.pValue);
    expect(row.verdict).toBe(`fewer failures with serial_fix13, ${formatP(row.adjustedP!)} (Holm-adjusted)`);
  });

  it('judges the headline row alone and the rows below it Holm-adjusted', () => {
    // Three tests failing in a but not b, each 6/50 against 0/50 (Fisher p = 0.0267): significant alone, not once adjusted for 5 rows.
    const failures = (i: number) => [1, 2, 3].filter((t) => i % 3 === t % 3 && i <= 18).map((t) => ({ test: `t.py::test_${t}`, class: 'A1', message: 'boom' }));
    const noisy = summarize(Array.from({ length: 50 }, (_, k) => result(k + 1, failures(k + 1).length > 0 ? 'failed' : 'passed', failures(k + 1))), info('noisy'), RULES);
    const clean = summarize(sweepResults(50, []), info('clean'), RULES);
    const c = compareSweeps(noisy, clean);
    expect(c.rows[0]!.adjustedP).toBeNull();
    const tests = c.rows.filter((r) => r.kind === 'test');
    expect(tests).toHaveLength(3);
    for (const row of tests) {
      expect(row.pValue).toBeCloseTo(0.0267, 3);
      expect(row.adjustedP!).toBeGreaterThan(0.05);
      expect(row.significant).toBe(false);
      expect(row.verdict).toMatch(/not significant once adjusted for 4 rows \(p = 0\.\d+, Holm\)/);
    }
  });

  it('compares each way of failing when failures carry signatures', () => {
    const signed = (sig: string) => [{ test: 't.py::test_a', class: 'A1', message: 'boom', signature: sig }];
    const a = summarize(Array.from({ length: 20 }, (_, k) => result(k + 1, k < 6 ? 'failed' : 'passed', k < 6 ? signed(k < 3 ? 'aaaaaaaaaaaa' : 'bbbbbbbbbbbb') : [])), info('a'), RULES);
    const b = summarize(Array.from({ length: 20 }, (_, k) => result(k + 1, k < 3 ? 'failed' : 'passed', k < 3 ? signed('bbbbbbbbbbbb') : [])), info('b'), RULES);
    const rows = compareSweeps(a, b).rows.filter((r) => r.kind === 'signature');
    expect(rows.map((r) => [r.key, r.a.count, r.b.count])).toEqual([['bbbbbbbbbbbb', 3, 3], ['aaaaaaaaaaaa', 3, 0]]);
  });
});
