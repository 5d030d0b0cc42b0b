import { describe, expect, it } from 'vitest';

import type { HuntVerdict } from '../../../../src/report/hunt-verdict.js';
import { renderHuntMarkdown } from '../../../../src/report/markdown/hunt-markdown.js';
import { estimateRate } from '../../../../src/stats/wilson.js';

const cell = (name: string, hits: number, runs: number) => ({ cell: name, perturbation: name.replace('conditions=', ''), parallelism: 'serial', rate: estimateRate(hits, runs), posteriorMean: (1 + hits) / (2 + runs) });

describe('renderHuntMarkdown', () => {
  it('gives the reproductions, the best conditions and the commands to run next, in code blocks', () => {
    const verdict: HuntVerdict = {
      target: 'any failure',
      iterations: 6,
      reproductions: [1, 3, 5],
      cells: [cell('conditions=reverse', 2, 2), cell('conditions=none', 0, 1)],
      best: cell('conditions=reverse', 2, 2),
      onlyUnderPerturbation: true,
      unperturbedRuns: 1,
    };
    // A path with a backtick run must not end the block.
    const text = renderHuntMarkdown(verdict, { replay: 'flakehunt replay /logs/a```b/run005 -n 10', rerun: null });
    expect(text).toBe(
      [
        '#### Hunt',
        '',
        '**Reproduced 3 time(s)** in 6 iteration(s) (target: `any failure`): run001, run003, run005.',
        '',
        // Wilson 95% for 2/2: 34.2–100.0%.
        'Best conditions: `conditions=reverse`, 2/2 (100.0%, 95% CI 34.2–100.0%).',
        '',
        'Never seen in 1 unperturbed iteration(s): it may be caused by the perturbation rather than reproduced; check the failure is the one you hunt.',
        '',
        'Replay the last reproduction exactly:',
        '',
        '````',
        'flakehunt replay /logs/a```b/run005 -n 10',
        '````',
        '',
      ].join('\n'),
    );
  });

  it('says so when the target never showed', () => {
    const verdict: HuntVerdict = { target: 'class A1', iterations: 40, reproductions: [], cells: [cell('conditions=none', 0, 40)], best: null, onlyUnderPerturbation: false, unperturbedRuns: 40 };
    expect(renderHuntMarkdown(verdict, { replay: null, rerun: null })).toBe('#### Hunt\n\n**Not reproduced** in 40 iteration(s) (target: `class A1`).\n');
  });
});
