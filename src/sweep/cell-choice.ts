import { type HuntTarget, tallyByCell } from '../core/hunt-target.js';
import type { IterationResult } from '../core/result.js';
import { SeededRandom } from '../stats/random.js';
import type { MatrixCell, SweepConfig } from './sweep-config.js';

/** Picks the cell an iteration runs in, from the results the sweep has so far. */
export interface CellChoice {
  cellFor(iteration: number, results: IterationResult[]): MatrixCell;
}

/** `run --matrix`: the cells in turn, so every cell gets its share and a resumed sweep gives each iteration the same cell. */
export function cellsInTurn(cells: MatrixCell[]): CellChoice {
  return { cellFor: (iteration) => cells[(iteration - 1) % cells.length]! };
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
      const tallies = tallyByCell(cells.map((c) => c.name), results, target);
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

/** How a sweep picks each iteration's cell: in turn, or by the hunt from the results so far (seeded by the sweep). */
export function cellChoiceFor(config: Pick<SweepConfig, 'conditions' | 'hunt'>, seed: string): CellChoice {
  const { cells } = config.conditions;
  return config.hunt === null ? cellsInTurn(cells) : thompsonChoice(cells, config.hunt.target, seed);
}
