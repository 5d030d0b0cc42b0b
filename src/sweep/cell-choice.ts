import type { IterationResult } from '../core/result.js';
import { SeededRandom } from '../stats/random.js';
import type { HuntTarget, MatrixCell } from './sweep-config.js';

/** Picks the cell an iteration runs in, from the results the sweep has so far. */
export interface CellChoice {
  cellFor(iteration: number, results: IterationResult[]): MatrixCell;
}

/** `run --matrix`: the cells in turn, so every cell gets its share and a resumed sweep gives each iteration the same cell. */
export function cellsInTurn(cells: MatrixCell[]): CellChoice {
  return { cellFor: (iteration) => cells[(iteration - 1) % cells.length]! };
}

/** Whether a result shows the hunted failure. */
export function hitsTarget(result: IterationResult, target: HuntTarget): boolean {
  if (result.status !== 'failed') return false;
  if (target.kind === 'any') return true;
  if (target.kind === 'class') return result.classes.includes(target.id) || result.failures.some((f) => f.class === target.id);
  return result.failures.some((f) => f.signature !== undefined && target.ids.includes(f.signature));
}

/** Per cell: iterations with a verdict and how many of them showed the target. */
export function cellTallies(cells: MatrixCell[], results: IterationResult[], target: HuntTarget): Map<string, { runs: number; hits: number }> {
  const tallies = new Map(cells.map((cell) => [cell.name, { runs: 0, hits: 0 }]));
  for (const result of results) {
    const tally = result.conditions?.cell == null ? undefined : tallies.get(result.conditions.cell);
    if (tally === undefined || (result.status !== 'passed' && result.status !== 'failed')) continue;
    tally.runs += 1;
    if (hitsTarget(result, target)) tally.hits += 1;
  }
  return tallies;
}

/**
 * `hunt`: Thompson sampling. Each cell's rate of the target has a Beta(1 + hits, 1 + misses)
 * posterior; the iteration goes to the cell whose draw from its posterior is highest. Cells never
 * tried draw from the uniform prior, so each gets looked at; a cell that reproduces the target
 * quickly gets most of the iterations after it. The draws are seeded by the sweep's seed and the
 * iteration, so the choice is the same in every process given the same results.
 */
export function thompsonChoice(cells: MatrixCell[], target: HuntTarget, sweepSeed: string): CellChoice {
  return {
    cellFor(iteration, results) {
      const tallies = cellTallies(cells, results, target);
      const random = new SeededRandom(`${sweepSeed}/choice/${iteration}`);
      let best = cells[0]!;
      let bestDraw = -1;
      for (const cell of cells) {
        const { runs, hits } = tallies.get(cell.name)!;
        const draw = random.nextBeta(1 + hits, 1 + runs - hits);
        if (draw > bestDraw) {
          best = cell;
          bestDraw = draw;
        }
      }
      return best;
    },
  };
}
