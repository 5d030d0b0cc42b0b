import { describe, it, expect } from 'vitest';
import { summarize } from '../../../src/report/summarize.js';
import { formatInterval, formatPercent, formatRunList, renderSummaryText } from '../../../src/report/summary-text.js';
import { RULES, info, result, sweepResults } from './fixtures.js';

const FAILED = [6, 8, 10, 11, 12, 13, 14, 20, 21, 30, 33, 40, 45];

describe('formatting helpers', () => {
  it('formats percentages and intervals', () => {
    expect(formatPercent(0.26)).toBe('26.0%');
    expect(formatPercent(0.058155)).toBe('5.8%');
    expect(formatInterval({ lower: 0.1587, upper: 0.3955 })).toBe('15.9–39.6%');
  });
  it('compresses three or more consecutive runs into a range and caps the list', () => {
    expect(formatRunList([8, 6, 10, 11, 12, 13, 20, 21])).toBe('run006, run008, run010–run013, run020, run021');
    expect(formatRunList([1, 3, 5, 7, 9], 3)).toBe('run001, run003, run005, … and 2 more');
    expect(formatRunList([1234])).toBe('run1234');
  });
});

describe('renderSummaryText', () => {
  it('reports counts, the failure rate with its CI, tests and failed runs', () => {
    const text = renderSummaryText(summarize(sweepResults(50, FAILED), info('serial_base'), RULES));
    expect(text).toContain('Sweep serial_base — image flaky:latest, parallelism serial');
    expect(text).toContain('Iterations: 50 finished — 37 passed, 13 failed, 0 errors, 0 interrupted');
    expect(text).toContain('Failure rate: 26.0% (13/50), 95% CI 15.9–39.6%');
    expect(text).not.toContain('Test-bug failures only');
    expect(text).toMatch(/A1\s+Shared temp file clobbered\s+test-bug\s+13\s+26\.0%\s+15\.9–39\.6%/);
    expect(text).toContain('tests/test_x.py::test_a — 13 (26.0%) A1');
    expect(text).toContain('AssertionError in run 6');
    expect(text).toContain('Failed runs: run006, run008, run010–run014, run020, run021, run030, run033, run040, run045');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('lists the ways a run failed with no test named (a --command run) by signature, with counts and intervals', () => {
    const exit = (n: number, text: string, signature: string) => result(n, 'failed', [{ test: null, class: 'UNCLASSIFIED', message: `exit code 1; last output: run ${n}`, signature, signatureText: text }]);
    const results = [exit(1, "exit 1 | - | KeyError: 'session-<n>'", 'aaaaaaaaaaaa'), exit(2, "exit 1 | - | KeyError: 'session-<n>'", 'aaaaaaaaaaaa'), exit(3, 'exit 1 | - | ERROR: refused | retry', 'bbbbbbbbbbbb'), result(4, 'passed')];
    const text = renderSummaryText(summarize(results, info('serial_cmd'), RULES));
    // Wilson 95%: 2/4 is 15.0–85.0%, 1/4 is 4.6–69.9%.
    expect(text).toContain([
      'Failures of the run, no test named (iterations, of 4 counted), each way:',
      "  [aaaaaaaaaaaa] 2 (50.0%, 15.0–85.0%) UNCLASSIFIED: exit 1: KeyError: 'session-<n>'",
      '  [bbbbbbbbbbbb] 1 (25.0%, 4.6–69.9%) UNCLASSIFIED: exit 1: ERROR: refused | retry',
    ].join('\n'));
    expect(renderSummaryText(summarize(sweepResults(10, [2]), info('serial_tests'), RULES))).not.toContain('no test named');
  });

  it('states the exact upper bound when nothing failed', () => {
    const text = renderSummaryText(summarize(sweepResults(50, []), info('serial_fix'), RULES));
    expect(text).toContain('0/50 failed: the true failure rate is below 5.8% with 95% confidence');
    expect(text).not.toContain('Failure rate:');
    expect(text).not.toContain('Failed runs');
  });

  it('shows the test-bug rate, infrastructure classes apart, errors and interrupted runs', () => {
    const results = [
      ...sweepResults(10, [2]),
      result(11, 'failed', [{ test: null, class: 'A5', message: 'Connection reset' }]),
      result(12, 'error'),
      result(13, 'interrupted'),
    ];
    const text = renderSummaryText(summarize(results, info('x'), RULES));
    expect(text).toContain('Failure rate: 18.2% (2/11)');
    expect(text).toContain('Test-bug failures only (infrastructure-only failures left out): 9.1% (1/11)');
    const lines = text.split('\n');
    const infraHeading = lines.findIndex((l) => l.startsWith('Infrastructure classes'));
    expect(infraHeading).toBeGreaterThan(lines.findIndex((l) => /^\s+A1\s/.test(l)));
    expect(lines[infraHeading + 1]).toMatch(/^\s+A5\s+Docker network flake\s+infrastructure/);
    expect(text).toContain('Errors: run012');
    expect(text).toContain('Interrupted: run013');
  });

  it('mentions runs excluded as infrastructure-only', () => {
    const results = [...sweepResults(10, [2]), result(11, 'failed', [{ test: null, class: 'A5', message: 'reset' }])];
    const text = renderSummaryText(summarize(results, info('x'), RULES, { excludeInfrastructure: true }));
    expect(text).toContain('Failure rate: 10.0% (1/10)');
    expect(text).toContain('Not counted, failed only with infrastructure classes: run011');
  });

  it('fits a screen however much failed, capping lists and truncating messages', () => {
    const rules = Array.from({ length: 20 }, (_, i) => ({ id: `C${i}`, title: `Class ${i}`, kind: i < 15 ? ('test-bug' as const) : ('infrastructure' as const) }));
    const results = Array.from({ length: 300 }, (_, i) =>
      result(i + 1, i % 3 === 0 ? 'passed' : i % 50 === 1 ? 'error' : 'failed', i % 3 === 0 ? [] : [
        { test: `tests/test_${i % 40}.py::test_case`, class: `C${i % 20}`, message: 'x'.repeat(500) },
        { test: null, class: `C${(i + 7) % 20}`, message: 'y' },
      ]),
    );
    const text = renderSummaryText(summarize(results, info('big'), rules));
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(text).toContain('… and 9 more'); // 15 test-bug classes, 6 shown
    expect(text).toContain('… and 2 more'); // 5 infrastructure classes, 3 shown
    expect(text).toContain('… and 35 more'); // 40 tests, 5 shown
    expect(text).toMatch(/Failed runs: .*, … and \d+ more/);
    expect(Math.max(...lines.filter((l) => l.includes('xxx')).map((l) => l.trim().length))).toBe(120);
  });
});
