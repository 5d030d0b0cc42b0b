// Failure rates per host (or process) of a shared sweep, and which host fails far more often than the rest:
// a broken machine is not a flaky test.
//
// Each host is compared with all the others pooled, by a one-sided Fisher exact test (does it fail more
// often?), Holm-adjusted over the hosts. A host is flagged when that is significant and its rate is also at
// least `minRatio` times the others': with thousands of iterations a 10% difference becomes significant
// without being a broken machine.

import { fisherExactGreater } from './fisher.js';
import { holmAdjust } from './multiplicity.js';
import type { RateEstimate } from './rate-estimate.js';
import { estimateRate } from './wilson.js';

export interface HostCounts {
  host: string;
  passed: number;
  failed: number;
}

export interface HostRate {
  host: string;
  /** This host's failed iterations out of its counted ones, with a Wilson interval. */
  rate: RateEstimate;
  /** The pooled failure rate of every other host (0 when there is none). */
  othersRate: number;
  /** rate / othersRate; null when the others never failed. */
  ratio: number | null;
  /** One-sided Fisher p-value that this host fails more often than the others. */
  p: number;
  /** p after Holm's adjustment over all hosts. */
  adjustedP: number;
  flagged: boolean;
}

export interface HostRateOptions {
  /** Family-wise level of the flags (default 0.05). */
  alpha?: number;
  /** How many times the others' rate a flagged host must fail at least (default 2). */
  minRatio?: number;
}

export function hostRates(hosts: readonly HostCounts[], options: HostRateOptions = {}): HostRate[] {
  const alpha = options.alpha ?? 0.05;
  const minRatio = options.minRatio ?? 2;
  const totalFailed = hosts.reduce((acc, h) => acc + h.failed, 0);
  const totalPassed = hosts.reduce((acc, h) => acc + h.passed, 0);
  const rows = hosts.map(({ host, passed, failed }) => {
    const othersFailed = totalFailed - failed;
    const othersTotal = totalFailed + totalPassed - failed - passed;
    const othersRate = othersTotal === 0 ? 0 : othersFailed / othersTotal;
    const rate = estimateRate(failed, passed + failed);
    return {
      host,
      rate,
      othersRate,
      ratio: othersRate === 0 ? null : rate.rate / othersRate,
      p: fisherExactGreater(failed, passed, othersFailed, othersTotal - othersFailed),
    };
  });
  const adjusted = holmAdjust(rows.map((row) => row.p));
  return rows.map((row, i) => {
    const adjustedP = adjusted[i]!;
    const farAbove = row.ratio === null ? row.rate.rate > 0 : row.ratio >= minRatio;
    return { ...row, adjustedP, flagged: adjustedP <= alpha && farAbove };
  });
}
