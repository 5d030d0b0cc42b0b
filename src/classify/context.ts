import type { ExceptionTrace } from './exception-trace.js';

/** Longest message kept: one line of a failure. */
export const MAX_MESSAGE = 400;

/** What one test (or a failures-section entry, or the run as a whole) showed. */
export interface Context {
  /** Per line group, the most telling line that matched it. */
  matches: Map<string, string>;
  quality: Map<string, number>;
  /** The first `E ` line. */
  firstError: string | null;
  /** xdist workers named by matching lines (`[gw0] node down: …`). */
  workers: Set<string>;
  /** For a failures-section entry: what its traceback says. */
  trace: ExceptionTrace | null;
}

export function newContext(): Context {
  return { matches: new Map(), quality: new Map(), firstError: null, workers: new Set(), trace: null };
}

/**
 * A copy of a string that does not hold on to the chunk it was sliced from: lines are substrings
 * of ~1 MB decoded chunks, and keeping a node id would otherwise keep its whole chunk alive.
 */
export function own(text: string): string {
  // Concatenating and slicing makes V8 flatten into a fresh string: a copy, with no re-encoding.
  return (` ${text}`).slice(1);
}

/** A line as a failure's message: trimmed, without pytest's `E ` prefix, at most MAX_MESSAGE long. */
export function trimMessage(line: string): string {
  const trimmed = line.trim().replace(/^E\s+/, '');
  return own(trimmed.length > MAX_MESSAGE ? `${trimmed.slice(0, MAX_MESSAGE - 1)}…` : trimmed);
}

/** The end of a long text, which is where a log says what went wrong. */
export function keepEnd(text: string): string {
  return text.length > MAX_MESSAGE ? `…${text.slice(text.length - MAX_MESSAGE + 1)}` : text;
}
