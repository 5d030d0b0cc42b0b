import { describe, expect, it } from 'vitest';

import { cellsOf } from '../../../src/config/matrix-spec.js';
import { parsePerturbation } from '../../../src/config/perturbation-spec.js';
import type { IterationResult } from '../../../src/core/result.js';
import { hitsTarget, tallyByCell } from '../../../src/core/hunt-target.js';
import { cellsInTurn, thompsonChoice } from '../../../src/sweep/cell-choice.js';
import { realizeConditions } from '../../../src/sweep/conditions.js';
import type { MatrixCell } from '../../../src/sweep/sweep-config.js';

const cell = (text: string, parallelism = 'serial'): MatrixCell => cellsOf([], { parallelism, perturbation: parsePerturbation(text) })[0]!;
const options = (iteration: number) => ({ sweepSeed: 'abc', iteration, inMatrix: false, setsHashSeed: true });

describe('realizeConditions', () => {
  it('draws the same conditions for the same sweep seed and iteration, and others for another iteration', () => {
    const spec = cell('cpu:0.2-0.6+stall:10ms-90ms+shuffle');
    expect(realizeConditions(spec, options(7))).toEqual(realizeConditions(spec, options(7)));
    const draws = new Set(Array.from({ length: 20 }, (_, i) => JSON.stringify(realizeConditions(spec, options(i + 1)).realized)));
    expect(draws.size).toBe(20);
  });

  it('keeps every draw in range and records the seeds it needs to run the iteration again', () => {
    for (let i = 1; i <= 200; i += 1) {
      const c = realizeConditions(cell('cpu:0.2-0.6+hog:1+shuffle+delay:5ms'), options(i));
      expect(c.realized.cpus).toBeGreaterThanOrEqual(0.2);
      expect(c.realized.cpus).toBeLessThanOrEqual(0.6);
      expect(c.realized.cpuset).toMatch(/^\d+$/);
      expect(c.realized.order).toMatchObject({ mode: 'shuffle' });
      expect(c.realized.net!.seed).toBe(`abc/${i}/net`);
      expect(c.hashSeed).toBeGreaterThanOrEqual(0);
      expect(c.hashSeed).toBeLessThanOrEqual(4294967295);
      expect(c.seed).toBe(`abc/${i}`);
    }
  });

  it('no PYTHONHASHSEED when the user sets one, a cell name only in a matrix', () => {
    const c = realizeConditions(cell('none'), { ...options(1), setsHashSeed: false });
    expect(c.hashSeed).toBeNull();
    expect(c.cell).toBeNull();
    expect(realizeConditions(cell('none'), { ...options(1), inMatrix: true }).cell).toBe('none');
  });
});

function result(iteration: number, cellName: string, failed: boolean, signature = 'aaaaaaaaaaaa'): IterationResult {
  return {
    iteration, status: failed ? 'failed' : 'passed', exitCode: failed ? 1 : 0, durationMs: 1, classes: failed ? ['A1'] : [],
    failures: failed ? [{ test: 't.py::x', class: 'A1', message: 'm', signature }] : [], killedBy: null, exitCodeMismatch: false,
    tests: { passed: 1, failed: failed ? 1 : 0 }, startedAt: '', finishedAt: '', attempt: 1, host: 'h', pid: 1, imageId: null, note: null,
    conditions: { cell: cellName, perturbation: cellName, parallelism: 'serial', hashSeed: 1, realized: {}, seed: 's' },
  };
}

describe('cell choice', () => {
  const cells = cellsOf(['noise=none,cpu:0.3,cpu:0.1'], { parallelism: 'serial', perturbation: {} });

  it('in turn: iteration i gets cell (i − 1) mod n', () => {
    const choice = cellsInTurn(cells);
    expect([1, 2, 3, 4, 5].map((i) => choice.cellFor(i, []).name)).toEqual(['noise=none', 'noise=cpu:0.3', 'noise=cpu:0.1', 'noise=none', 'noise=cpu:0.3']);
  });

  it('targets: any failure, a class, or a signature', () => {
    const failed = result(1, 'x', true, 'bbbbbbbbbbbb');
    expect(hitsTarget(failed, { kind: 'any' })).toBe(true);
    expect(hitsTarget(failed, { kind: 'class', id: 'A1' })).toBe(true);
    expect(hitsTarget(failed, { kind: 'class', id: 'A2' })).toBe(false);
    expect(hitsTarget(failed, { kind: 'signature', ids: ['bbbbbbbbbbbb'], from: 'x' })).toBe(true);
    expect(hitsTarget(failed, { kind: 'signature', ids: ['cccccccccccc'], from: 'x' })).toBe(false);
    expect(hitsTarget(result(2, 'x', false), { kind: 'any' })).toBe(false);
  });

  it('Thompson sampling: tries every cell, then spends most iterations where the target shows', () => {
    // Seeded simulation: the target shows in 40% of cpu:0.1 iterations, 5% of cpu:0.3, never unperturbed.
    const rates: Record<string, number> = { 'noise=none': 0, 'noise=cpu:0.3': 0.05, 'noise=cpu:0.1': 0.4 };
    const choice = thompsonChoice(cells, { kind: 'any' }, 'sim');
    const results: IterationResult[] = [];
    let u = 12345;
    const uniform = () => ((u = (Math.imul(u, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 1; i <= 200; i += 1) {
      const picked = choice.cellFor(i, results).name;
      results.push(result(i, picked, uniform() < rates[picked]!));
    }
    const tallies = tallyByCell(cells.map((c) => c.name), results, { kind: 'any' });
    for (const c of cells) expect(tallies.get(c.name)!.runs).toBeGreaterThan(0);
    expect(tallies.get('noise=cpu:0.1')!.runs).toBeGreaterThan(150);
    // The same results give the same choice: every process of a shared hunt agrees.
    expect(thompsonChoice(cells, { kind: 'any' }, 'sim').cellFor(201, results).name).toBe(choice.cellFor(201, results).name);
  });
});
