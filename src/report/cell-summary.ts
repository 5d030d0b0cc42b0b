import { isVerdict, type Failure, type IterationResult } from '../core/result.js';
import { fisherExactTwoSided } from '../stats/fisher.js';
import type { RateEstimate } from '../stats/rate-estimate.js';
import { estimateRate } from '../stats/wilson.js';
import { failureKey, failureKeysOf } from './failure-keys.js';

/** How one cell of a matrix (or hunt) did. */
export interface CellSummary {
  cell: string;
  perturbation: string;
  parallelism: string;
  failure: RateEstimate;
  /** The first failing iteration of the cell: which run, the how-many-th of the cell, after how much of its time. */
  firstFailure: { run: number; nth: number; afterMs: number } | null;
  /** Each way of failing seen in the cell, with its rate there. */
  ways: Array<{ key: string; example: Failure; runs: RateEstimate }>;
  /** Against the reference cell (the unperturbed one): two-sided Fisher p; null for the reference itself. */
  vsReference: { pValue: number; direction: 'more' | 'fewer' | 'same' } | null;
}

/** What a way of failing depends on, from the cells it shows in (FlaPy's order split, and load). */
export interface Dependence {
  key: string;
  example: Failure;
  dependsOn: 'order' | 'load' | 'neither' | 'unclear';
  /** Never seen unperturbed although the unperturbed cell ran: maybe caused by the perturbation rather than reproduced. */
  onlyUnderPerturbation: boolean;
  detail: string;
}

export interface CellsSummary {
  reference: string;
  /** Whether the reference is an unperturbed cell (else the first one, for want of it). */
  referenceUnperturbed: boolean;
  cells: CellSummary[];
  dependence: Dependence[];
}

const ALPHA = 0.05;

function spec(result: IterationResult): { order: boolean; load: boolean } {
  const realized = result.conditions?.realized ?? {};
  const load = realized.cpus !== undefined || Boolean(realized.cpuHogs) || realized.stalls !== undefined || realized.memoryBytes !== undefined
    || Boolean(realized.ioHogs) || realized.net !== undefined || (result.conditions?.parallelism ?? 'serial') !== 'serial';
  return { order: realized.order !== undefined, load };
}

function firstFailureOf(results: IterationResult[]): CellSummary['firstFailure'] {
  let elapsed = 0;
  for (const [index, result] of results.entries()) {
    elapsed += result.durationMs;
    if (result.status === 'failed') return { run: result.iteration, nth: index + 1, afterMs: elapsed };
  }
  return null;
}

/** Iterations with and without a property, and in how many of each the way of failing showed. */
function split(results: IterationResult[], key: string, has: (r: IterationResult) => boolean): { with: [number, number]; without: [number, number] } {
  const counts = { with: [0, 0] as [number, number], without: [0, 0] as [number, number] };
  for (const r of results) {
    const side = has(r) ? counts.with : counts.without;
    side[1] += 1;
    if (r.status === 'failed' && failureKeysOf(r.failures).has(key)) side[0] += 1;
  }
  return counts;
}

/**
 * Iterations each side of a split needs before "no significant difference" is read as "does not
 * depend on it": with fewer, a real dependence would rarely be significant (3/5 against 0/2 is
 * p = 0.43), and the answer is "unclear" instead.
 */
const MIN_SIDE_FOR_NO = 10;

/** Whether the way of failing shows significantly more often with the property than without (or only with it). */
function dependsOn(counts: { with: [number, number]; without: [number, number] }): 'yes' | 'no' | 'unknown' {
  const [a, n] = counts.with;
  const [b, m] = counts.without;
  if (n === 0 || m === 0) return 'unknown';
  const p = fisherExactTwoSided(a, n - a, b, m - b);
  if (p < ALPHA && a / n > b / m) return 'yes';
  return n >= MIN_SIDE_FOR_NO && m >= MIN_SIDE_FOR_NO ? 'no' : 'unknown';
}

const pct = (count: number, total: number) => `${count}/${total}`;

/**
 * Per cell: the failure rate with its interval, the first failure, each way of failing, and the
 * comparison with the unperturbed cell; then, per way of failing, what it depends on. Null when
 * the results come from fewer than two cells.
 */
export function summarizeCells(counted: IterationResult[]): CellsSummary | null {
  const byCell = new Map<string, IterationResult[]>();
  for (const r of counted) {
    const cell = r.conditions?.cell;
    if (cell === undefined || cell === null || !isVerdict(r)) continue;
    byCell.set(cell, [...(byCell.get(cell) ?? []), r]);
  }
  if (byCell.size < 2) return null;
  const unperturbed = [...byCell.entries()].filter(([, results]) => results.every((r) => !spec(r).order && !spec(r).load));
  const reference = (unperturbed[0] ?? [...byCell.entries()][0]!)[0];
  const referenceResults = byCell.get(reference)!;
  const failedIn = (results: IterationResult[]) => results.filter((r) => r.status === 'failed').length;

  const cells: CellSummary[] = [...byCell.entries()].map(([cell, results]) => {
    const first = results[0]!.conditions!;
    const ways = new Map<string, { example: Failure; count: number }>();
    for (const r of results) {
      if (r.status !== 'failed') continue;
      for (const key of failureKeysOf(r.failures)) {
        const entry = ways.get(key) ?? { example: r.failures.find((f) => failureKey(f) === key)!, count: 0 };
        entry.count += 1;
        ways.set(key, entry);
      }
    }
    const failed = failedIn(results);
    const refFailed = failedIn(referenceResults);
    const vsReference = cell === reference ? null : (() => {
      const pValue = fisherExactTwoSided(failed, results.length - failed, refFailed, referenceResults.length - refFailed);
      const diff = failed / results.length - refFailed / referenceResults.length;
      return { pValue, direction: diff > 0 ? 'more' as const : diff < 0 ? 'fewer' as const : 'same' as const };
    })();
    return {
      cell,
      perturbation: first.perturbation,
      parallelism: first.parallelism,
      failure: estimateRate(failed, results.length),
      firstFailure: firstFailureOf(results),
      ways: [...ways.entries()].map(([key, w]) => ({ key, example: w.example, runs: estimateRate(w.count, results.length) })).sort((x, y) => y.runs.count - x.runs.count),
      vsReference,
    };
  });

  const all = [...byCell.values()].flat();
  const examples = new Map<string, Failure>();
  for (const c of cells) for (const w of c.ways) if (!examples.has(w.key)) examples.set(w.key, w.example);
  const dependence: Dependence[] = [...examples.entries()].map(([key, example]) => {
    const order = split(all, key, (r) => spec(r).order);
    const load = split(all, key, (r) => spec(r).load);
    const byOrder = dependsOn(order);
    const byLoad = dependsOn(load);
    const seenUnperturbed = referenceResults.some((r) => r.status === 'failed' && failureKeysOf(r.failures).has(key));
    // A split of which one side never ran (no cell reorders, as with --command) says nothing: left out.
    const detail = [order.with[1] > 0 && order.without[1] > 0 ? `reordered ${pct(...order.with)} vs in order ${pct(...order.without)}` : null,
      load.with[1] > 0 && load.without[1] > 0 ? `under load ${pct(...load.with)} vs without ${pct(...load.without)}` : null]
      .filter((part) => part !== null).join('; ');
    // "Neither" needs it seen on both sides of a split at rates too close to tell apart.
    const seenBothWays = (c: { with: [number, number]; without: [number, number] }) => c.with[0] > 0 && c.without[0] > 0;
    // Nor can it be said when it fails more under any perturbation than without (neither split alone
    // may tell which), or was never seen where nothing was perturbed.
    const perturbedAtAll = dependsOn(split(all, key, (r) => spec(r).order || spec(r).load));
    const neitherPossible = perturbedAtAll !== 'yes' && (unperturbed.length === 0 || seenUnperturbed);
    const verdict = byOrder === 'yes' ? 'order' : byLoad === 'yes' ? 'load'
      : neitherPossible && ((byOrder === 'no' && seenBothWays(order)) || (byLoad === 'no' && seenBothWays(load))) ? 'neither' : 'unclear';
    // Only meaningful when there is an unperturbed cell to have seen it in.
    return { key, example, dependsOn: verdict, onlyUnderPerturbation: unperturbed.length > 0 && !seenUnperturbed, detail };
  });
  return { reference, referenceUnperturbed: unperturbed.length > 0, cells, dependence };
}
