import { describe, expect, it } from 'vitest';

import type { IterationResult } from '../../../src/core/result.js';
import { huntVerdict, perturbationCaveat } from '../../../src/report/hunt-verdict.js';

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

  it('is not given when the target also showed unperturbed, or never showed at all', () => {
    const both = huntVerdict([result(1, 'conditions=cpu:0.2', true), result(2, 'conditions=cpu:0.2', true), result(3, 'conditions=none', true)], CELLS, { kind: 'any' });
    expect(both.onlyUnderPerturbation).toBe(false);
    expect(perturbationCaveat(both)).toBeNull();
    const never = huntVerdict([result(1, 'conditions=none', false)], CELLS, { kind: 'any' });
    expect(never.best).toBeNull();
    expect(perturbationCaveat(never)).toBeNull();
  });
});
