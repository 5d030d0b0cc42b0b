import { describe, it, expect } from 'vitest';

import { renderHtmlReport } from '../../../src/report/html/render-report.js';
import { buildReportInput, ROUTER } from './html-fixture.js';

const page = renderHtmlReport(buildReportInput('/work/reports'));
/** The page without the <wbr> break hints that test ids carry. */
const text = page.replaceAll('<wbr>', '');

/** The markup of the section or header with this id, up to where it closes (sections are not nested). */
function sectionOf(id: string): string {
  const start = page.indexOf(`id="${id}"`);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  const end = Math.min(...['</section>', '</header>'].map((tag) => page.indexOf(tag, start)).filter((i) => i >= 0));
  return page.slice(start, end);
}

describe('renderHtmlReport', () => {
  it('is one self-contained HTML document', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<style>');
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<link\b/i);
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(page).not.toMatch(/@import|url\(\s*["']?https?:/i);
    // The A5 message mentions huggingface over https, as text only.
    expect(page).toContain('HTTPSConnectionPool(host=&#39;huggingface.co&#39;');
  });

  it('has every section, with stable ids and test ids', () => {
    for (const i of [1, 2]) {
      for (const name of ['sweep-header', 'outcome-strip', 'class-test-matrix', 'rates', 'durations', 'failing-runs']) {
        expect(page).toContain(`id="${name}-${i}" data-testid="${name}"`);
      }
    }
    expect(page).toContain('id="comparison" data-testid="comparison"');
  });

  it('words the rates as summary.txt does', () => {
    const header1 = sectionOf('sweep-header-1');
    expect(header1).toContain('Failure rate: 26.0% (13/50), 95% CI 15.9–39.6%');
    expect(header1).toContain('Test-bug failures only (infrastructure-only failures left out): 24.0% (12/50)');
    expect(header1).toMatch(/<b>37<\/b><span>passed<\/span>/);
    expect(sectionOf('sweep-header-2')).toContain('0/50 failed: the true failure rate is below 5.8% with 95% confidence');
  });

  it('draws 50 iteration cells per sweep with the right status and classes', () => {
    const cells = [...page.matchAll(/data-testid="iteration-cell" data-iteration="(\d+)" data-status="(\w+)" data-classes="([^"]*)"><title>([^<]*)</g)];
    expect(cells).toHaveLength(100);
    const first = cells.slice(0, 50);
    expect(first.map((m) => Number(m[1]))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const failed = first.filter((m) => m[2] === 'failed').map((m) => Number(m[1]));
    expect(failed).toEqual([6, 11, 12, 14, 17, 21, 24, 29, 33, 38, 40, 45, 48]);
    expect(first.filter((m) => m[2] === 'passed')).toHaveLength(37);
    expect(first[28]?.[3]).toBe('A1 A2');
    expect(first[28]?.[4]).toMatch(/^run029 FAILED A1, A2 \d+\.\ds$/);
    expect(first[23]?.[4]).toBe('run024 FAILED A3 301.2s');
    expect(cells.slice(50).every((m) => m[2] === 'passed' && m[3] === '')).toBe(true);
  });

  it('escapes data: a test id with <script> stays text', () => {
    expect(page).not.toContain('<script>alert');
    expect(text).toContain('test_weird[&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;]');
    expect(page).toContain('ValueError: got &#39;&lt;b&gt;&#39; &amp; &quot;quoted&quot; instead');
  });

  it('counts failing tests per class in the matrix', () => {
    const matrix = sectionOf('class-test-matrix-1').replaceAll('<wbr>', '');
    expect(matrix).toContain('<i>(the run as a whole)</i>');
    const routerRow = matrix.slice(matrix.indexOf(ROUTER));
    // 8 A1 iterations (7 + run029) and one A3.
    expect(routerRow.slice(0, routerRow.indexOf('</tr>')).match(/>(\d+)<\/td>/g)).toEqual(['>8</td>', '>1</td>']);
    expect(sectionOf('class-test-matrix-2')).toContain('No failing tests.');
  });

  it('links failing runs to their logs by relative paths', () => {
    const runs = sectionOf('failing-runs-1');
    expect(runs.match(/data-testid="failing-run"/g)).toHaveLength(13);
    expect(runs).toContain('href="../sweeps/serial_base/run006/run.log"');
    expect(runs).toContain('href="../sweeps/serial_base/run048/run.log"');
    expect(page).not.toContain('href="/work');
    const nested = renderHtmlReport(buildReportInput('/work/sweeps/serial_base/report'));
    expect(nested).toContain('href="../run006/run.log"');
  });

  it('shows rates with intervals as text', () => {
    const rates = sectionOf('rates-1');
    expect(rates).toContain('16.0% (8/50), 95% CI 8.3–28.5%');
    expect(rates).toContain('<svg class="bar"');
  });

  it('renders the comparison with its verdict, significant rows highlighted', () => {
    const comparison = sectionOf('comparison');
    expect(comparison).toContain('fewer failures with serial_fix13, p &lt; 0.001');
    expect(comparison).toMatch(/<tr class="sig" data-testid="comparison-row" data-kind="overall" data-significant="true">/);
    expect(comparison).toContain('−26.0 pp');
    expect(comparison).toMatch(/data-kind="class" data-significant="false"/);
  });

  it('leaves the comparison out for a single sweep', () => {
    const input = buildReportInput('/work/reports');
    const single = renderHtmlReport({ ...input, summaries: input.summaries.slice(0, 1), comparisons: [] });
    expect(single).not.toContain('id="comparison"');
    expect(single).toContain('id="outcome-strip-1"');
  });
});

describe('renderHtmlReport: findings', () => {
  it('marks a change of the failure rate on the outcome strip and says it in the findings', async () => {
    const { summarize } = await import('../../../src/report/summarize.js');
    const { RULES, info, result } = await import('./fixtures.js');
    const results = Array.from({ length: 100 }, (_, i) => (i >= 90 && i % 2 === 0 ? result(i + 1, 'failed', [{ test: 't.py::test_kv', class: 'B1', message: 'Fatal Python error: Aborted' }]) : result(i + 1, 'passed')));
    const shifted = renderHtmlReport({ summaries: [summarize(results, info('n4'), RULES)], comparisons: [], generatedAt: 'now', reportDir: '/tmp' });
    expect(shifted).toMatch(/<g data-testid="change-point" data-iteration="91">/);
    expect(shifted).toMatch(/data-testid="finding-shift"><b>Failure rate changed at run091:<\/b> 0\/90 \(0\.0%\) before, 5\/10 \(50\.0%\) after/);
  });

  it('says what each way of failing of a matrix depends on, as the text summary does', async () => {
    const { summarize } = await import('../../../src/report/summarize.js');
    const { RULES, info, result } = await import('./fixtures.js');
    const way = { test: 't.py::test_order', class: 'A1', message: 'AssertionError: registry empty', signature: 'aaaaaaaaaaaa' };
    const cell = (name: string, reversed: boolean, i: number) => ({
      ...result(i, reversed && i % 3 !== 0 ? 'failed' : 'passed', reversed && i % 3 !== 0 ? [way] : []),
      conditions: { cell: name, perturbation: reversed ? 'reverse' : 'none', parallelism: 'serial', hashSeed: 1, seed: 's', realized: reversed ? { order: { mode: 'reverse' as const } } : {} },
    });
    const results = Array.from({ length: 24 }, (_, k) => cell(k % 2 === 0 ? 'conditions=none' : 'conditions=reverse', k % 2 === 1, k + 1));
    const page = renderHtmlReport({ summaries: [summarize(results, { ...info('matrix'), matrix: ['conditions=none', 'conditions=reverse'] }, RULES)], comparisons: [], generatedAt: 'now', reportDir: '/tmp' });
    expect(page).toMatch(/data-testid="dependence"><li><code>t\.py::test_order<\/code> .*<code>aaaaaaaaaaaa<\/code>: depends on test order \(fails more when reordered\); never seen unperturbed/);
    expect(page).toContain('2 cells (parallelism and perturbation per cell)');
  });

  it('has no findings card when there is nothing to say', async () => {
    const { summarize } = await import('../../../src/report/summarize.js');
    const { RULES, info, result } = await import('./fixtures.js');
    const quiet = renderHtmlReport({ summaries: [summarize(Array.from({ length: 20 }, (_, i) => result(i + 1, 'passed')), info('calm'), RULES)], comparisons: [], generatedAt: 'now', reportDir: '/tmp' });
    expect(quiet).not.toContain('data-testid="findings"');
  });
});
