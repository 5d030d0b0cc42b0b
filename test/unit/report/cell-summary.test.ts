import { describe, expect, it } from 'vitest';

import type { RealizedPerturbation } from '../../../src/core/conditions.js';
import type { IterationResult } from '../../../src/core/result.js';
import { summarizeCells } from '../../../src/report/cell-summary.js';
import { describeConditions } from '../../../src/report/summary-text.js';
import { result } from './fixtures.js';

const WAY = { test: 'tests/t.py::test_a', class: 'A1', message: 'AssertionError: x' };
let next = 1;

/** `failed` failing and `passed` passing iterations of one cell. */
function cell(name: string, realized: RealizedPerturbation, failed: number, passed: number): IterationResult[] {
  const make = (status: 'failed' | 'passed'): IterationResult => ({
    ...result(next++, status, status === 'failed' ? [WAY] : []),
    conditions: { cell: name, perturbation: name, parallelism: 'serial', hashSeed: 1, realized, seed: 's' },
  });
  return [...Array.from({ length: failed }, () => make('failed')), ...Array.from({ length: passed }, () => make('passed'))];
}

describe('summarizeCells', () => {
  it('compares each cell with the unperturbed one by Fisher exact test, and names an order dependence', () => {
    const s = summarizeCells([...cell('reverse', { order: { mode: 'reverse' } }, 6, 4), ...cell('none', {}, 0, 10)])!;
    expect(s.reference).toBe('none');
    expect(s.referenceUnperturbed).toBe(true);
    const reverse = s.cells.find((c) => c.cell === 'reverse')!;
    // 6/10 against 0/10: tables at least as extreme are 6-0 and 0-6, each C(10,6)·C(10,0)/C(20,6) = 210/38760.
    expect(reverse.vsReference!.pValue).toBeCloseTo(420 / 38760, 10);
    expect(reverse.vsReference!.direction).toBe('more');
    expect(s.dependence).toEqual([expect.objectContaining({ dependsOn: 'order', onlyUnderPerturbation: true })]);
  });

  it('gives the splits that ran on both sides only: no order split when no cell reorders (--command), none at all for parallelism cells', () => {
    const loadOnly = summarizeCells([...cell('cpu:0.2', { cpus: 0.2 }, 7, 3), ...cell('none', {}, 1, 9)])!;
    expect(loadOnly.dependence[0]!.detail).toBe('under load 7/10 vs without 1/10');
    const both = summarizeCells([...cell('cpu:0.2+shuffle', { cpus: 0.2, order: { mode: 'shuffle', seed: 1 } }, 2, 2), ...cell('none', {}, 1, 3)])!;
    expect(both.dependence[0]!.detail).toBe('reordered 2/4 vs in order 1/4; under load 2/4 vs without 1/4');
    const unperturbed = summarizeCells([...cell('serial', {}, 1, 4), ...cell('n4', {}, 3, 2)])!;
    expect(unperturbed.dependence[0]!.detail).toBe('');
  });

  it('names a load dependence', () => {
    const s = summarizeCells([...cell('cpu:0.2', { cpus: 0.2 }, 7, 3), ...cell('none', {}, 0, 10)])!;
    expect(s.dependence[0]!.dependsOn).toBe('load');
  });

  it('says "neither" only with enough iterations on each side of both splits to tell', () => {
    const even = summarizeCells([...cell('reverse', { order: { mode: 'reverse' } }, 3, 7), ...cell('none', {}, 3, 7)])!;
    expect(even.dependence[0]!.dependsOn).toBe('neither');
    expect(even.dependence[0]!.onlyUnderPerturbation).toBe(false);
    // 3/5 reordered against 1/2 in order: seen both ways, p = 1, which says nothing either way.
    const few = summarizeCells([...cell('reverse', { order: { mode: 'reverse' } }, 3, 2), ...cell('none', {}, 1, 1)])!;
    expect(few.dependence[0]!.dependsOn).toBe('unclear');
  });

  it('never "neither" for a way of failing that fails more under any perturbation, though neither split alone tells', () => {
    // 0/6 unperturbed, 13/18 perturbed; 9/12 against 4/12 on the order split and on the load split alike.
    const s = summarizeCells([
      ...cell('none', {}, 0, 6),
      ...cell('reverse', { order: { mode: 'reverse' } }, 4, 2),
      ...cell('cpu:0.3', { cpus: 0.3 }, 4, 2),
      ...cell('cpu:0.3+reverse', { cpus: 0.3, order: { mode: 'reverse' } }, 5, 1),
    ])!;
    expect(s.dependence[0]).toMatchObject({ dependsOn: 'unclear', onlyUnderPerturbation: true });
  });

  it('takes the first cell as reference when none is unperturbed, and is null for one cell', () => {
    const s = summarizeCells([...cell('cpu:0.5', { cpus: 0.5 }, 1, 4), ...cell('reverse', { order: { mode: 'reverse' } }, 2, 3)])!;
    expect(s.reference).toBe('cpu:0.5');
    expect(s.referenceUnperturbed).toBe(false);
    expect(summarizeCells(cell('none', {}, 1, 4))).toBeNull();
  });
});

describe('describeConditions: what a header says the iterations ran under', () => {
  it('the parallelism and the perturbation of a plain sweep; the number of cells of a matrix, whose parallelism is per cell', () => {
    expect(describeConditions({ parallelism: 'serial', perturbation: null, matrix: null })).toBe('parallelism serial');
    expect(describeConditions({ parallelism: '4', perturbation: 'cpu:0.2-0.5+shuffle', matrix: null })).toBe('parallelism 4, perturbation cpu:0.2-0.5+shuffle');
    expect(describeConditions({ parallelism: 'serial', perturbation: null, matrix: ['parallelism=serial noise=none', 'parallelism=2 noise=none', 'parallelism=serial noise=shuffle'] })).toBe('3 cells (parallelism and perturbation per cell)');
  });
});
