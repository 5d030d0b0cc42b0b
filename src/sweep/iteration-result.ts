import type { Classification } from '../classify/classification.js';
import { maskSecrets } from '../core/secrets.js';
import type { Failure, IterationResult, IterationStatus } from '../core/result.js';

/** What a result says besides its classification: which iteration, when, where, how it ended. */
export type ResultFrame = Pick<IterationResult, 'iteration' | 'exitCode' | 'killedBy' | 'durationMs' | 'startedAt' | 'finishedAt' | 'attempt' | 'host' | 'pid' | 'imageId' | 'conditions' | 'node' | 'oomKilled' | 'signal'>;

/** At most this many failures are kept per result: a suite failing by thousands stays cheap to summarise. */
const MAX_FAILURES_KEPT = 200;

function capFailures(failures: Failure[]): Failure[] {
  if (failures.length <= MAX_FAILURES_KEPT) return failures;
  const kept = failures.slice(0, MAX_FAILURES_KEPT - 1);
  const last = failures[MAX_FAILURES_KEPT - 1]!;
  return [...kept, { test: null, class: last.class, message: `… and ${failures.length - kept.length} more failures (see run.log)` }];
}

/**
 * The result of a classified iteration: the one place a Classification becomes an IterationResult,
 * live and offline. run.log is masked as it is written, but messages can also come from the
 * plugin's reports: secret values are masked here once more.
 */
export function classifiedResult(frame: ResultFrame, classification: Classification, secrets: string[] = []): IterationResult {
  const mask = (text: string) => (secrets.length === 0 ? text : maskSecrets(text, secrets));
  return inFieldOrder(frame, {
    status: classification.status,
    classes: classification.classes,
    failures: capFailures(classification.failures.map((f) => ({
      ...f,
      // A secret can be a parameter of a node id (parametrize over a token read from the environment).
      test: f.test === null ? null : mask(f.test),
      message: mask(f.message),
      ...(f.signatureText === undefined ? {} : { signatureText: mask(f.signatureText) }),
    }))),
    exitCodeMismatch: classification.exitCodeMismatch,
    tests: classification.tests,
    note: classification.note === null ? null : mask(classification.note),
  });
}

/** The result of an iteration the harness could not judge: it errored, or was interrupted. */
export function harnessResult(frame: ResultFrame, status: Extract<IterationStatus, 'error' | 'interrupted'>, note: string): IterationResult {
  return inFieldOrder(frame, { status, classes: [], failures: [], exitCodeMismatch: false, tests: { passed: 0, failed: 0 }, note });
}

type Verdict = Pick<IterationResult, 'status' | 'classes' | 'failures' | 'exitCodeMismatch' | 'tests' | 'note'>;

/** A result with its fields in the order the README documents (result.json is read by people too). */
function inFieldOrder(frame: ResultFrame, verdict: Verdict): IterationResult {
  const { iteration, exitCode, durationMs, killedBy, startedAt, finishedAt, attempt, host, pid, imageId, conditions, node, oomKilled, signal } = frame;
  const { status, classes, failures, exitCodeMismatch, tests, note } = verdict;
  const result: IterationResult = { iteration, status, exitCode, durationMs, classes, failures, killedBy, exitCodeMismatch, tests, startedAt, finishedAt, attempt, host, pid, imageId, note };
  if (conditions !== undefined) result.conditions = conditions;
  if (node !== undefined) result.node = node;
  if (oomKilled === true) result.oomKilled = true;
  if (signal !== undefined) result.signal = signal;
  return result;
}
