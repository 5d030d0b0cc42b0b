import os from 'node:os';

import type { IterationConditions, PerturbationSpec, RealizedPerturbation } from '../core/conditions.js';
import type { IterationResult } from '../core/result.js';
import { SeededRandom } from '../stats/random.js';
import type { CellChoice } from './cell-choice.js';
import type { MatrixCell, SweepConfig } from './sweep-config.js';

/** The largest PYTHONHASHSEED Python accepts. */
const MAX_HASH_SEED = 4294967295;

/**
 * Draws what an iteration runs under from the sweep's seed and its number alone, so the same
 * iteration gets the same conditions in every process and on every resume, and `replay` can
 * run it again exactly. Draws happen in a fixed order; a new kind of draw goes last.
 */
export function realizeConditions(
  cell: MatrixCell,
  options: { sweepSeed: string; iteration: number; inMatrix: boolean; setsHashSeed: boolean },
): IterationConditions {
  const seed = `${options.sweepSeed}/${options.iteration}`;
  const random = new SeededRandom(seed);
  const realized = realizePerturbation(cell.perturbation, seed, random);
  const hashSeed = random.nextInt(MAX_HASH_SEED + 1);
  return {
    cell: options.inMatrix ? cell.name : null,
    perturbation: cell.perturbationText,
    parallelism: cell.parallelism,
    hashSeed: options.setsHashSeed ? hashSeed : null,
    realized,
    seed,
  };
}

function realizePerturbation(spec: PerturbationSpec, seed: string, random: SeededRandom): RealizedPerturbation {
  const realized: RealizedPerturbation = {};
  if (spec.cpus) {
    const { min, max } = spec.cpus;
    // Hundredths of a CPU: what a person would write, and what `docker run --cpus` takes.
    realized.cpus = Math.round((min + (max - min) * random.nextFloat()) * 100) / 100 || 0.01;
  }
  if (spec.memoryBytes !== undefined) realized.memoryBytes = spec.memoryBytes;
  if (spec.cpuHogs) {
    realized.cpuHogs = spec.cpuHogs;
    realized.cpuset = String(random.nextInt(Math.max(1, os.availableParallelism())));
  }
  if (spec.stalls) realized.stalls = { ...spec.stalls, seed: `${seed}/stalls` };
  if (spec.ioHogs) realized.ioHogs = spec.ioHogs;
  if (spec.net) realized.net = { ...spec.net, seed: `${seed}/net` };
  if (spec.order === 'reverse') realized.order = { mode: 'reverse' };
  if (spec.order === 'shuffle') realized.order = { mode: 'shuffle', seed: random.nextInt(2 ** 31) };
  return realized;
}

/** The conditions of each iteration of a sweep: its cell (in turn, or chosen by the hunt), then the draws. */
export class ConditionsPlanner {
  private readonly setsHashSeed: boolean;

  constructor(
    private readonly config: SweepConfig,
    private readonly sweepSeed: string,
    private readonly choice: CellChoice,
  ) {
    const { container, run } = config;
    // A PYTHONHASHSEED the user gives stays theirs; otherwise each pytest iteration gets a recorded one.
    this.setsHashSeed = run.command === null && container.env.PYTHONHASHSEED === undefined && !container.envPass.includes('PYTHONHASHSEED');
  }

  conditionsFor(iteration: number, results: IterationResult[]): IterationConditions {
    const replayed = this.config.conditions.replayOf;
    if (replayed !== null) return replayed.conditions;
    const cell = this.choice.cellFor(iteration, results);
    const inMatrix = this.config.conditions.matrix !== null || this.config.hunt !== null;
    return realizeConditions(cell, { sweepSeed: this.sweepSeed, iteration, inMatrix, setsHashSeed: this.setsHashSeed });
  }
}
