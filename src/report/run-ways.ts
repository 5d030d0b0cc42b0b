import type { SweepSummary, WaySummary } from './summary-types.js';

/**
 * Ways of failing with no test named: a `--command` run's exit, pytest crashing, an error line of
 * the run. They have no row among the failing tests, so the summaries list them on their own.
 */
export function runLevelWays(summary: Pick<SweepSummary, 'ways'>): WaySummary[] {
  return summary.ways.filter((w) => w.tests.length === 0 && w.signature !== null);
}

/**
 * What a run-level way says: its signature's type and message (`exit 1: KeyError: 'session-<n>'`),
 * shorter than the example's whole last output; the example when it has no signature text.
 */
export function runWayText(way: WaySummary): string {
  const parts = way.signatureText?.split(' | ');
  if (parts === undefined || parts.length < 3) return way.example;
  const [type, , ...message] = parts;
  return `${type}: ${message.join(' | ')}`;
}
