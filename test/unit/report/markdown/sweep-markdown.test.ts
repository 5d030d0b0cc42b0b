import { describe, expect, it } from 'vitest';

import { renderMarkdownSummary } from '../../../../src/report/markdown/sweep-markdown.js';
import { summarize } from '../../../../src/report/summarize.js';
import type { IterationResult } from '../../../../src/core/result.js';
import { info, result, RULES, sweepResults } from '../fixtures.js';

describe('renderMarkdownSummary', () => {
  it('gives rate with interval, counts, classes, failing tests and runs', () => {
    const results = sweepResults(20, [3, 7, 8, 9]);
    results.push({ ...result(21, 'error'), note: 'docker run failed' }, result(22, 'interrupted'));
    // Wilson 95% for 4/20: 8.1–41.6% (z = 1.959964: centre 0.2 + z²/40, half-width z·sqrt(0.16/20 + z²/1600), over 1 + z²/20).
    expect(renderMarkdownSummary(summarize(results, info('serial_fix8'), RULES))).toBe(
      [
        '### flakehunt: `serial_fix8`',
        '',
        '**Failure rate 20.0%** (4/20 iterations), 95% CI 8.1–41.6%.',
        '',
        '22 iterations finished: 16 passed, 4 failed, 1 errors, 1 interrupted · image `flaky:latest` · parallelism `serial` · mean 1.0 s per iteration.',
        '',
        '#### Failure classes (iterations with the class, of 20 counted)',
        '',
        '| Class | Title | Kind | Iterations | Rate | 95% CI |',
        '| --- | --- | --- | ---: | ---: | --- |',
        '| `A1` | `Shared temp file clobbered` | test-bug | 4 | 20.0% | 8.1–41.6% |',
        '',
        '#### Failing tests (iterations failed, of 20 counted)',
        '',
        '| Test | Iterations | Rate | 95% CI | Classes | First message |',
        '| --- | ---: | ---: | --- | --- | --- |',
        '| `tests/test_x.py::test_a` | 4 | 20.0% | 8.1–41.6% | `A1` | `AssertionError in run 3` |',
        '',
        '- Failed runs: run003, run007–run009',
        '- Errors (not counted): run021',
        '- Interrupted (not counted): run022',
        '',
      ].join('\n'),
    );
  });

  it('gives the exact zero-failure bound and no tables when nothing failed', () => {
    const text = renderMarkdownSummary(summarize(sweepResults(50, []), info('serial_fix13'), RULES));
    // 1 − 0.05^(1/50) = 0.0582
    expect(text).toContain('**0/50 failed:** the true failure rate is below 5.8% with 95% confidence.');
    expect(text).not.toContain('|');
  });

  it('says so when no iteration has a verdict yet', () => {
    const text = renderMarkdownSummary(summarize([result(1, 'error')], info('serial'), RULES));
    expect(text).toContain('**No passed or failed iterations yet:** no failure rate to report.');
  });

  it('shows the change point when one is given', () => {
    const text = renderMarkdownSummary(summarize(sweepResults(100, [91, 93, 95, 97, 99]), info('serial'), RULES), {
      changePoint: { iteration: 91, before: { failed: 0, total: 90 }, after: { failed: 5, total: 10 }, pValue: 0.00002, newSignatures: ['a1f00d', 'b2'] },
    });
    expect(text).toContain('**Change point:** the failure rate changed at run091: 0/90 failed before, 5/10 after, p = 2.0e-5; new signatures `a1f00d` `b2`.');
  });

  it('keeps text from outside inert: tables stay tables, no links, no mentions', () => {
    const results = [
      result(1, 'failed', [{ test: 'tests/t.py::test_x[a|b]', class: 'A1', message: 'see https://example.com/x @someone #12 `code` | pipe\nnext line' }]),
      result(2, 'passed'),
    ];
    const row = renderMarkdownSummary(summarize(results, info('serial'), RULES))
      .split('\n')
      .find((line) => line.startsWith('| `tests/t.py'));
    expect(row).toBe('| `tests/t.py::test_x[a\\|b]` | 1 | 50.0% | 9.5–90.5% | `A1` | ``see https://example.com/x @someone #12 `code` \\| pipe next line`` |');
  });

  it('caps the failing tests and says how many more', () => {
    const results = Array.from({ length: 30 }, (_, i) => result(i + 1, 'failed', [{ test: `tests/t.py::test_${String(i).padStart(2, '0')}`, class: 'A1', message: 'x' }]));
    const text = renderMarkdownSummary(summarize(results, info('serial'), RULES), { maxTests: 5 });
    expect(text.split('\n').filter((line) => line.startsWith('| `tests/'))).toHaveLength(5);
    expect(text).toContain('… and 25 more failing tests (summary.txt lists them all).');
  });

  it('gives a matrix its cells against the unperturbed one, and what each way of failing depends on', () => {
    const victim = { test: 'tests/t.py::test_reader', class: 'A2', message: 'AssertionError: stale' };
    const inCell = (r: IterationResult, cell: string, reversed: boolean): IterationResult => ({
      ...r,
      conditions: { cell, perturbation: reversed ? 'reverse' : 'none', parallelism: 'serial', hashSeed: 1, realized: reversed ? { order: { mode: 'reverse' } } : {}, seed: 's' },
    });
    const results = [
      ...Array.from({ length: 10 }, (_, i) => inCell(result(i + 1, 'passed'), 'conditions=none', false)),
      ...Array.from({ length: 10 }, (_, i) => inCell(result(i + 11, 'failed', [victim]), 'conditions=reverse', true)),
    ];
    const text = renderMarkdownSummary(summarize(results, info('matrix'), RULES));
    // Fisher two-sided, 10/10 against 0/10: 2 / C(20,10) = 2 / 184756 = 1.08e-5.
    expect(text).toContain(
      [
        '#### Conditions (iterations failed, of those counted in each cell, against the unperturbed cell `conditions=none`)',
        '',
        '| Cell | Failed | Rate | 95% CI | First failure | Against the reference |',
        '| --- | ---: | ---: | --- | --- | --- |',
        '| `conditions=none` | 0/10 | 0.0% | 0.0–27.8% | – | reference |',
        '| `conditions=reverse` | 10/10 | 100.0% | 72.2–100.0% | run011 | more, p < 0.001 |',
        '',
        '- `tests/t.py::test_reader` `A2`: depends on test order (fails more when reordered); never seen unperturbed: maybe caused by the perturbation, not reproduced (reordered 10/10 vs in order 0/10)',
      ].join('\n'),
    );
  });

  it('states what --until-decided answered', () => {
    const text = renderMarkdownSummary(summarize(sweepResults(120, []), { ...info('serial'), decision: { mode: 'target', targetRate: 0.03, alpha: 0.05, power: 0.8 } }, RULES));
    expect(text).toMatch(/\n\*\*Decision \(truncated SPRT, α 5\.0%, power 80\.0% at [^)]*\): .+, after \d+ iteration\(s\) \(0 failed\)[^\n]*\.\*\*\n/);
  });
});

describe('renderMarkdownSummary: failures of the run', () => {
  it('a table of the ways a run failed with no test named, by signature', () => {
    const failed = (n: number) => result(n, 'failed', [{ test: null, class: 'UNCLASSIFIED', message: 'exit code 2; last output: …', signature: 'cccccccccccc', signatureText: 'exit 2 | - | panic: runtime error: index out of range [<n>] with length <n>' }]);
    const markdown = renderMarkdownSummary(summarize([failed(1), result(2, 'passed')], info('serial_go'), RULES));
    expect(markdown).toContain([
      '#### Failures of the run, no test named (iterations, of 2 counted)',
      '',
      '| Signature | Iterations | Rate | 95% CI | Classes | Way of failing |',
      '| --- | ---: | ---: | --- | --- | --- |',
      '| `cccccccccccc` | 1 | 50.0% | 9.5–90.5% | `UNCLASSIFIED` | `exit 2: panic: runtime error: index out of range [<n>] with length <n>` |',
    ].join('\n'));
  });
});
