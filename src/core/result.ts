import type { IterationConditions } from './conditions.js';

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
  /** What the iteration ran under (cell, perturbation, seeds): enough to run it again exactly. Absent in results from before. */
  conditions?: IterationConditions;
  /** The machine it ran on, for back ends that place runs on one of several (a swarm node). */
  node?: { id: string; hostname: string };
  /** The kernel's OOM killer ended it (present only when it did), so offline classification agrees. */
  oomKilled?: true;
  /** The signal that ended the test command, when the executor knows it. */
  signal?: string;
}

export const UNCLASSIFIED = 'UNCLASSIFIED';

/** Iterations that count towards a pass or fail rate. */
export function isVerdict(result: Pick<IterationResult, 'status'>): boolean {
  return result.status === 'passed' || result.status === 'failed';
}

/** How many results ended each way. */
export function countByStatus(results: Iterable<Pick<IterationResult, 'status'>>): Record<IterationStatus, number> {
  const counts: Record<IterationStatus, number> = { passed: 0, failed: 0, error: 0, interrupted: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/**
 * Whether each counted iteration failed, in iteration order from `from` on, up to the first
 * iteration without a result yet: what a sequential test may look at (later results wait for the
 * ones before them). Errors and interruptions are no verdict and are passed over.
 */
export function failedInOrder(results: Iterable<Pick<IterationResult, 'iteration' | 'status'>>, from: number): boolean[] {
  const byIteration = new Map<number, Pick<IterationResult, 'iteration' | 'status'>>();
  for (const result of results) byIteration.set(result.iteration, result);
  const outcomes: boolean[] = [];
  for (let i = from; byIteration.has(i); i += 1) {
    const result = byIteration.get(i)!;
    if (isVerdict(result)) outcomes.push(result.status === 'failed');
  }
  return outcomes;
}
