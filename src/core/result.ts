/** What one iteration ended as. `error` is a harness or infrastructure problem, never a test verdict. */
export type IterationStatus = 'passed' | 'failed' | 'error' | 'interrupted';

/** Why the harness had to stop the container, if it did. */
export type KilledBy = 'timeout' | 'idle' | null;

/** The part of a test that failed: pytest's setup, call and teardown phases, or collecting its file. */
export type FailurePhase = 'setup' | 'call' | 'teardown' | 'collection';

/**
 * One failure seen in an iteration, attributed to a test when the log says which. A test that
 * failed in more than one phase (its call, then its teardown) has one failure per phase. The
 * optional fields are absent from result.json files written before they existed.
 */
export interface Failure {
  /** Canonical pytest node id (`tests/x.py::test_a[file]`), or null for a failure of the run as a whole. */
  test: string | null;
  /** A taxonomy rule id (`A1`, `B1`, …) or `UNCLASSIFIED`. */
  class: string;
  /** The line that shows what failed, trimmed. */
  message: string;
  /** The way it failed, as a short stable id: 12 hex digits of the SHA-256 of signatureText. */
  signature?: string;
  /** The way it failed with run-specific details taken out: `type | where | message` (docs/signatures.md). */
  signatureText?: string;
  phase?: FailurePhase;
  /** The exception type as Python prints it, or for a process that died the signal (`SIGABRT`). */
  exception?: string;
}

/** The contents of `runNNN/result.json`: written atomically, last, when the iteration is finished. */
export interface IterationResult {
  iteration: number;
  status: IterationStatus;
  exitCode: number | null;
  durationMs: number;
  /** Sorted unique failure classes; empty when passed. */
  classes: string[];
  failures: Failure[];
  killedBy: KilledBy;
  /** The exit code said pass but the log shows a failure (the seed script's harness bug). */
  exitCodeMismatch: boolean;
  /** Counts from the log, when it has them. */
  tests: { passed: number; failed: number };
  startedAt: string;
  finishedAt: string;
  /** Which attempt of this iteration produced this result (earlier ones are kept in attempt-N/). */
  attempt: number;
  host: string;
  pid: number;
  imageId: string | null;
  /** For `error` and `interrupted`: what went wrong, in one line. */
  note: string | null;
}

export const UNCLASSIFIED = 'UNCLASSIFIED';

/** Iterations that count towards a pass or fail rate. */
export function isVerdict(result: Pick<IterationResult, 'status'>): boolean {
  return result.status === 'passed' || result.status === 'failed';
}
