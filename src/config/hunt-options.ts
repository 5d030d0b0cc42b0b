import { parseDuration } from '../core/durations.js';
import { UsageError } from '../core/errors.js';
import { executorEntry } from '../executors/registry.js';
import type { PerturbationKind } from '../core/conditions.js';
import type { HuntTarget } from '../core/hunt-target.js';
import type { SweepConfig } from '../sweep/sweep-config.js';
import type { ConfigValues } from './config-file.js';
import { cellsOf } from './matrix-spec.js';
import { wholeNumber } from './option-parsers.js';
import { checkCells } from './resolve-run-config.js';

/**
 * Where a hunt looks when no --matrix says: the unperturbed baseline, CPU starvation of two
 * strengths, CPU hogs, stalls, network latency where it can be applied here, and both test orders:
 * what reproduced the most flakes in Shaker's and FlaPy's studies, and what this project's flaky
 * suites answer to. `available`: the perturbations the back end can apply on this machine now;
 * `reorders`: whether test order is flakehunt's to change (pytest, not another runner's --command).
 */
export function defaultHuntSpace(available: readonly PerturbationKind[], reorders = true): string[] {
  const can = new Set(available);
  const load = can.has('cpus') && can.has('cpuHogs') && can.has('stalls') ? ['cpu:0.5', 'cpu:0.2', 'hog:2', 'stall:100ms-300ms@1s', ...(reorders ? ['cpu:0.2+shuffle'] : [])] : [];
  const network = can.has('net') ? ['delay:60ms~20ms'] : [];
  return [`conditions=${['none', ...load, ...network, ...(reorders ? ['shuffle', 'reverse'] : [])].join(',')}`];
}

/** Turns `run`'s config into a hunt's: the search space, the budget, the reproductions to reach. */
export function huntConfigOf(
  config: SweepConfig,
  flags: ConfigValues & { budget?: string; reproductions?: string },
  target: HuntTarget,
  available: readonly PerturbationKind[] = executorEntry(config.executor).perturbations,
): SweepConfig {
  const reproductions = wholeNumber(flags.reproductions ?? '3', '--reproductions');
  const budget = flags.budget?.trim();
  let { start, end } = config.schedule;
  let budgetMs: number | null = null;
  if (budget !== undefined) {
    if (flags.end !== undefined) throw new UsageError('--budget and --end both bound the hunt: give one of them');
    if (/^\d+$/.test(budget)) {
      end = start + wholeNumber(budget, '--budget') - 1;
    } else {
      try {
        budgetMs = parseDuration(budget, '--budget');
      } catch {
        throw new UsageError(`--budget ${JSON.stringify(budget)} is neither a number of iterations nor a duration: write it like 40, 90m, 2h or 1h30m`);
      }
      if (budgetMs === 0) throw new UsageError('--budget 0 leaves the hunt no time: give a number of iterations or a duration like 2h');
      // The time is the bound; the range only has to be long enough.
      end = start + 99_999;
    }
  }
  const given = config.conditions.cells[0]!.perturbationText;
  if (config.conditions.matrix === null && given !== 'none') {
    throw new UsageError(`--perturb ${given}: a hunt chooses among perturbations itself; to hunt among yours, give them as cells: --matrix conditions=none,${given}`);
  }
  const matrix = config.conditions.matrix ?? defaultHuntSpace(available, config.run.command === null);
  const cells = config.conditions.matrix === null ? cellsOf(matrix, { parallelism: config.run.parallelism, perturbation: config.conditions.cells[0]!.perturbation }) : config.conditions.cells;
  checkCells(cells, config.executor, config.run.command !== null);
  return {
    ...config,
    schedule: { ...config.schedule, start, end },
    stop: { ...config.stop, reproduce: { target, count: reproductions } },
    conditions: { ...config.conditions, cells, matrix },
    hunt: { target, reproductions, budgetMs },
  };
}
