import type { Failure, IterationResult } from '../core/result.js';
import { changePoint } from '../stats/change-point.js';
import { type HostRate, hostRates } from '../stats/host-rates.js';
import type { RateEstimate } from '../stats/rate-estimate.js';
import { stillHappening } from '../stats/still-happening.js';
import { failureKey, failureKeysOf } from './failure-keys.js';

const ALPHA = 0.05;

/** A change in the failure rate along the iteration order, when the scan finds a significant one. */
export interface RegimeShift {
  /** The first iteration of the new rate. */
  run: number;
  before: RateEstimate;
  after: RateEstimate;
  p: number;
  /** Ways of failing seen after the change and never before it. */
  appeared: Failure[];
}

/** The likelihood-ratio scan of the counted iterations in order (permutation p-value, at most 1999 draws). */
export function regimeShift(counted: IterationResult[]): RegimeShift | null {
  const shift = changePoint(counted.map((r) => r.status === 'failed'));
  if (shift === null || shift.p >= ALPHA) return null;
  const before = new Set(counted.slice(0, shift.split).flatMap((r) => [...failureKeysOf(r.failures)]));
  const appeared = new Map<string, Failure>();
  for (const r of counted.slice(shift.split)) for (const f of r.failures) if (!before.has(failureKey(f)) && !appeared.has(failureKey(f))) appeared.set(failureKey(f), f);
  return { run: counted[shift.split]!.iteration, before: shift.before, after: shift.after, p: shift.p, appeared: [...appeared.values()] };
}

/** Failure rates per host, when the results come from more than one; null otherwise. */
export function ratesByHost(counted: IterationResult[]): HostRate[] | null {
  const byHost = new Map<string, { passed: number; failed: number }>();
  for (const r of counted) {
    const entry = byHost.get(r.host) ?? { passed: 0, failed: 0 };
    if (r.status === 'failed') entry.failed += 1;
    else entry.passed += 1;
    byHost.set(r.host, entry);
  }
  if (byHost.size < 2) return null;
  return hostRates([...byHost.entries()].map(([host, c]) => ({ host, ...c })));
}

/** A way of failing not seen for a while, and how likely it is gone. */
export interface Quiet {
  key: string;
  example: Failure;
  lastSeen: number;
  occurrences: number;
  cleanSince: number;
  /** If it still happened at its earlier rate, the chance of this many clean iterations in a row. */
  probabilityOfCleanStreak: number;
  /** The chance it is gone, from an even prior. */
  probabilityGone: number;
}

/** Ways of failing whose last occurrence is at least `minClean` counted iterations back. */
export function quietWays(counted: IterationResult[], minClean = 10): Quiet[] {
  const seen = new Map<string, { example: Failure; lastIndex: number; occurrences: number }>();
  counted.forEach((r, index) => {
    if (r.status !== 'failed') return;
    for (const key of failureKeysOf(r.failures)) {
      const entry = seen.get(key) ?? { example: r.failures.find((f) => failureKey(f) === key)!, lastIndex: index, occurrences: 0 };
      entry.lastIndex = index;
      entry.occurrences += 1;
      seen.set(key, entry);
    }
  });
  return [...seen.entries()]
    .map(([key, s]) => {
      const cleanSince = counted.length - 1 - s.lastIndex;
      const odds = stillHappening(s.occurrences, s.lastIndex + 1, cleanSince);
      return { key, example: s.example, lastSeen: counted[s.lastIndex]!.iteration, occurrences: s.occurrences, cleanSince, ...odds };
    })
    .filter((q) => q.cleanSince >= minClean)
    .sort((a, b) => b.probabilityGone - a.probabilityGone);
}
