import { describeTarget, type HuntTarget, hitsTarget, tallyByCell } from '../core/hunt-target.js';
import type { IterationResult } from '../core/result.js';
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
  /** The best cell is perturbed and the unperturbed one never showed the target: maybe caused by the perturbation. */
  onlyUnderPerturbation: boolean;
}

export function huntVerdict(results: IterationResult[], cells: Array<{ name: string; perturbation: string; parallelism: string }>, target: HuntTarget): HuntVerdict {
  const tallies = tallyByCell(cells.map((c) => c.name), results, target);
  const rows: HuntCell[] = cells.map((c) => {
    const { runs, hits } = tallies.get(c.name)!;
    return { cell: c.name, perturbation: c.perturbation, parallelism: c.parallelism, rate: estimateRate(hits, runs), posteriorMean: (1 + hits) / (2 + runs) };
  }).sort((a, b) => b.posteriorMean - a.posteriorMean || b.rate.total - a.rate.total);
  const reproductions = results.filter((r) => hitsTarget(r, target)).map((r) => r.iteration);
  const best = reproductions.length === 0 ? null : rows[0]!;
  const unperturbed = rows.find((r) => r.perturbation === 'none' && r.parallelism === best?.parallelism);
  return {
    target: describeTarget(target),
    iterations: results.filter((r) => r.status === 'passed' || r.status === 'failed').length,
    reproductions,
    cells: rows,
    best,
    onlyUnderPerturbation: best !== null && best.perturbation !== 'none' && unperturbed !== undefined && unperturbed.rate.total > 0 && unperturbed.rate.count === 0,
  };
}
