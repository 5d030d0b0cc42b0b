import type { Failure } from '../core/result.js';

/**
 * What counts as one way of failing: the failure's signature, or, for results from before
 * signatures (or a failure the classifier could not sign), its class and test.
 */
export function failureKey(failure: Failure): string {
  return failure.signature ?? `${failure.class}:${failure.test ?? 'run'}`;
}

/** The keys of the ways an iteration failed, each once. */
export function failureKeysOf(failures: Failure[]): Set<string> {
  return new Set(failures.map(failureKey));
}
