/**
 * The lines flakehunt itself writes into run.log, so that offline re-classification sees what the
 * harness did: `[flakehunt] HANG: …` and `[flakehunt] TIMEOUT: …` when the watchdog stops a run
 * (the taxonomy's hang rule matches them), and informative lines after them.
 */
export const MARKER_PREFIX = '[flakehunt]';

export type MarkerKind = 'HANG' | 'TIMEOUT' | 'INFO';

/** A harness line for run.log. */
export function markerLine(kind: MarkerKind, text: string): string {
  return kind === 'INFO' ? `${MARKER_PREFIX} ${text}` : `${MARKER_PREFIX} ${kind}: ${text}`;
}

/** Whether a log line was written by the harness rather than by the tests. */
export function isMarkerLine(line: string): boolean {
  return line.startsWith(`${MARKER_PREFIX} `);
}

/** The taxonomy pattern (JavaScript syntax) that matches the watchdog's stop markers. */
export const STOP_MARKER_PATTERN = '^\\[flakehunt\\] (?:HANG|TIMEOUT):';
