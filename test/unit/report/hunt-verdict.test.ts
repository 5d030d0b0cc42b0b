import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { IterationResult } from '../../../src/core/result.js';
import { renderHtmlReport } from '../../../src/report/html/render-report.js';
import { huntCellsOf, huntVerdict, perturbationCaveat } from '../../../src/report/hunt-verdict.js';
import { renderMarkdownSummary } from '../../../src/report/markdown/sweep-markdown.js';
import { summaryRenderer } from '../../../src/report/sweep-summary.js';
import { info as sweepInfo, RULES } from './fixtures.js';

const CELLS = [
  { name: 'conditions=none', perturbation: 'none', parallelism: 'serial' },
  { name: 'conditions=cpu:0.2', perturbation: 'cpu:0.2', parallelism: 'serial' },
];

function result(iteration: number, cell: string, failed: boolean): IterationResult {
  return {
    iteration,
    status: failed ? 'failed' : 'passed',
    classes: failed ? ['A1'] : [],
    failures: failed ? [{ test: 't.py::test_a', class: 'A1', message: 'boom' }] : [],
    conditions: { cell },
  } as unknown as IterationResult;
}

describe('huntVerdict: the caveat of a target seen only under perturbation', () => {
  it('is given when the unperturbed cell ran and never showed the target, with how often it ran', () => {
    const results = [result(1, 'conditions=cpu:0.2', true), result(2, 'conditions=none', false), result(3, 'conditions=none', false)];
    const verdict = huntVerdict(results, CELLS, { kind: 'any' });
    expect(verdict.best?.cell).toBe('conditions=cpu:0.2');
    expect(verdict).toMatchObject({ onlyUnderPerturbation: true, unperturbedRuns: 2 });
    expect(perturbationCaveat(verdict)).toMatch(/^Never seen in 2 unperturbed iteration\(s\): it may be caused by the perturbation/);
  });

  it('is given too when the unperturbed cell never got an iteration, saying it was not tried', () => {
    const verdict = huntVerdict([result(1, 'conditions=cpu:0.2', true), result(2, 'conditions=cpu:0.2', true)], CELLS, { kind: 'any' });
    expect(verdict).toMatchObject({ onlyUnderPerturbation: true, unperturbedRuns: 0 });
    expect(perturbationCaveat(verdict)).toMatch(/^Never tried without perturbation \(the unperturbed cell got no iteration\)/);
  });

  it('counts xdist as a perturbation of the serial cell, as the cells summary does', () => {
    const cells = [{ name: 'parallelism=serial', perturbation: 'none', parallelism: 'serial' }, { name: 'parallelism=2', perturbation: 'none', parallelism: '2' }];
    const results = [result(1, 'parallelism=2', true), result(2, 'parallelism=serial', false), result(3, 'parallelism=2', true)];
    const verdict = huntVerdict(results, cells, { kind: 'any' });
    expect(verdict.best?.cell).toBe('parallelism=2');
    expect(verdict).toMatchObject({ onlyUnderPerturbation: true, unperturbedRuns: 1 });
  });

  it('is not given when the target also showed unperturbed, or never showed at all', () => {
    const both = huntVerdict([result(1, 'conditions=cpu:0.2', true), result(2, 'conditions=cpu:0.2', true), result(3, 'conditions=none', true)], CELLS, { kind: 'any' });
    expect(both.onlyUnderPerturbation).toBe(false);
    expect(perturbationCaveat(both)).toBeNull();
    const never = huntVerdict([result(1, 'conditions=none', false)], CELLS, { kind: 'any' });
    expect(never.best).toBeNull();
    expect(perturbationCaveat(never)).toBeNull();
  });
});

describe('a hunt\'s answer from its folder alone (summary.txt, report --markdown, the HTML report)', () => {
  const info = { ...sweepInfo('hunt_x'), matrix: ['conditions=none', 'conditions=cpu:0.2', 'parallelism=2 conditions=none'], hunt: { kind: 'any' } as const };
  const results = [result(1, 'conditions=cpu:0.2', true), result(2, 'conditions=none', false), result(3, 'conditions=cpu:0.2', true)].map((r) => ({ ...r, conditions: { ...r.conditions!, perturbation: r.conditions!.cell === 'conditions=none' ? 'none' : 'cpu:0.2', parallelism: 'serial' } }));

  it('reads the cells from sweep.json and the results, an untried one from its name', () => {
    expect(huntCellsOf(results as IterationResult[], info)).toEqual([
      { name: 'conditions=none', perturbation: 'none', parallelism: 'serial' },
      { name: 'conditions=cpu:0.2', perturbation: 'cpu:0.2', parallelism: 'serial' },
      { name: 'parallelism=2 conditions=none', perturbation: 'none', parallelism: '2' },
    ]);
  });

  it('is in every rendering of the summary, with the replay of the last reproduction', async () => {
    const { summarize } = await import('../../../src/report/summarize.js');
    const summary = summarize(results as IterationResult[], info, RULES);
    expect(summary.hunt).toMatchObject({ reproductions: [1, 3], best: { cell: 'conditions=cpu:0.2' } });
    const replay = `flakehunt replay ${path.join('/tmp/hunt_x', 'run003')} -n 10`;
    const text = summaryRenderer(info, { name: 't', source: '', rules: [], spec: { name: 't', rules: [] } } as never)(results as IterationResult[]);
    expect(text).toContain('Hunt for any failure: reproduced 2 time(s) in 3 iteration(s): run001, run003.');
    expect(text).toContain(`Replay the last reproduction exactly: ${replay}`);
    expect(renderMarkdownSummary(summary)).toContain('**Reproduced 2 time(s)** in 3 iteration(s)');
    const page = renderHtmlReport({ summaries: [summary], comparisons: [], generatedAt: 'now', reportDir: '/tmp' });
    expect(page).toMatch(/data-testid="finding-hunt"><b>Hunt for any failure:<\/b> reproduced 2 time\(s\) in 3 iteration\(s\): run001, run003; best conditions <code>conditions=cpu:0\.2<\/code>, 2\/2/);
    expect(page).toContain(replay);
  });
});
