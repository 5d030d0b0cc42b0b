import path from 'node:path';

import { describeTarget, type HuntTarget, hitsTarget, tallyByCell } from '../core/hunt-target.js';
import type { IterationResult } from '../core/result.js';
import { runName } from '../store/layout.js';
import type { RateEstimate } from '../stats/rate-estimate.js';
import { estimateRate } from '../stats/wilson.js';

/** How a cell did in a hunt. */
export interface HuntCell {
  cell: string;
  perturbation: string;
  parallelism: string;
  /** Iterations with a verdict, and how many showed the target, with its interval. */
  rate: RateEstimate;
  /** The mean of the Beta(1 + hits, 1 + misses) posterior the hunt sampled from. */
  posteriorMean: number;
}

/** What a hunt found: how often, where best, and what to run to see it again. */
export interface HuntVerdict {
  target: string;
  iterations: number;
  /** The iterations that showed the target, in order. */
  reproductions: number[];
  /** Every cell the hunt could use, best first (by posterior mean). */
  cells: HuntCell[];
  /** The cell that reproduces the target best; null when it never showed. */
  best: HuntCell | null;
  /** The best cell is perturbed and no unperturbed iteration showed the target (none may have run): maybe caused by the perturbation. */
  onlyUnderPerturbation: boolean;
  /** Iterations of the unperturbed cell at the best cell's parallelism; null when the hunt had no such cell. */
  unperturbedRuns: number | null;
}

/** The caveat a hunt's answer carries when the target only showed under perturbation; null when it needs none. */
export function perturbationCaveat(verdict: HuntVerdict): string | null {
  if (!verdict.onlyUnderPerturbation) return null;
  const seen = verdict.unperturbedRuns === null
    ? 'The hunt had no unperturbed cell'
    : verdict.unperturbedRuns === 0
      ? 'Never tried without perturbation (the unperturbed cell got no iteration)'
      : `Never seen in ${verdict.unperturbedRuns} unperturbed iteration(s)`;
  return `${seen}: it may be caused by the perturbation rather than reproduced; check the failure is the one you hunt.`;
}

export function huntVerdict(results: IterationResult[], cells: Array<{ name: string; perturbation: string; parallelism: string }>, target: HuntTarget): HuntVerdict {
  const tallies = tallyByCell(cells.map((c) => c.name), results, target);
  const rows: HuntCell[] = cells.map((c) => {
    const { runs, hits } = tallies.get(c.name)!;
    return { cell: c.name, perturbation: c.perturbation, parallelism: c.parallelism, rate: estimateRate(hits, runs), posteriorMean: (1 + hits) / (2 + runs) };
  }).sort((a, b) => b.posteriorMean - a.posteriorMean || b.rate.total - a.rate.total);
  const reproductions = results.filter((r) => hitsTarget(r, target)).map((r) => r.iteration);
  const best = reproductions.length === 0 ? null : rows[0]!;
  // As the cells summary reads them, xdist is load too: the reference is the serial cell without
  // perturbation when the hunt has one, else the one without perturbation at the best's parallelism.
  const serialNone = rows.find((r) => r.perturbation === 'none' && r.parallelism === 'serial');
  const unperturbed = serialNone ?? rows.find((r) => r.perturbation === 'none' && r.parallelism === best?.parallelism);
  const bestPerturbed = best !== null && best !== unperturbed && (best.perturbation !== 'none' || serialNone !== undefined);
  return {
    target: describeTarget(target),
    iterations: results.filter((r) => r.status === 'passed' || r.status === 'failed').length,
    reproductions,
    cells: rows,
    best,
    onlyUnderPerturbation: bestPerturbed && (unperturbed === undefined || unperturbed.rate.count === 0),
    unperturbedRuns: unperturbed === undefined ? null : unperturbed.rate.total,
  };
}

/**
 * A finished hunt's cells, from its folder alone: those sweep.json lists (the hunt's search space,
 * in order) and any its results name, each with the perturbation and parallelism its iterations
 * record; a cell no iteration tried is read from its name (`parallelism=2 conditions=cpu:0.5`).
 */
export function huntCellsOf(results: IterationResult[], info: { matrix?: string[] | null; parallelism: string }): Array<{ name: string; perturbation: string; parallelism: string }> {
  const names = [...new Set([...(info.matrix ?? []), ...results.map((r) => r.conditions?.cell).filter((c): c is string => typeof c === 'string')])];
  return names.map((name) => {
    const seen = results.find((r) => r.conditions?.cell === name)?.conditions;
    if (seen !== undefined) return { name, perturbation: seen.perturbation, parallelism: seen.parallelism };
    const parts = name.split(' ').map((part) => part.split('='));
    const parallelism = parts.find(([key]) => key === 'parallelism')?.[1] ?? info.parallelism;
    const perturbation = parts.filter(([key, value]) => key !== 'parallelism' && value !== undefined && value !== 'none').map(([, value]) => value).join('+');
    return { name, perturbation: perturbation === '' ? 'none' : perturbation, parallelism };
  });
}

/** What to run after a hunt, from its folder alone: the replay of its last reproduction (the rerun needs the hunt's own settings). */
export function huntNextOf(summary: { info: { dir: string }; hunt: HuntVerdict | null }): { replay: string | null; rerun: string | null } {
  const last = summary.hunt?.reproductions.at(-1);
  return { replay: last === undefined ? null : `flakehunt replay ${path.join(summary.info.dir, runName(last))} -n 10`, rerun: null };
}
