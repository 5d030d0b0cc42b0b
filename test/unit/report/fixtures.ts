import type { Failure, IterationResult, IterationStatus } from '../../../src/core/result.js';
import type { SweepInfo } from '../../../src/report/summary-types.js';
import type { RuleInfo } from '../../../src/report/summarize.js';

/** Rules in priority order, as a taxonomy would give them. */
export const RULES: RuleInfo[] = [
  { id: 'A1', title: 'Shared temp file clobbered', kind: 'test-bug' },
  { id: 'A2', title: 'Order-dependent state', kind: 'test-bug' },
  { id: 'A5', title: 'Docker network flake', kind: 'infrastructure' },
];

/** A minimal iteration result; classes are derived from the failures. */
export function result(iteration: number, status: IterationStatus, failures: Failure[] = [], durationMs = 1000): IterationResult {
  return {
    iteration,
    status,
    exitCode: status === 'passed' ? 0 : status === 'failed' ? 1 : null,
    durationMs,
    classes: [...new Set(failures.map((f) => f.class))].sort(),
    failures,
    killedBy: null,
    exitCodeMismatch: false,
    tests: { passed: 3, failed: failures.length },
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:01.000Z',
    attempt: 1,
    host: 'test',
    pid: 1,
    imageId: null,
    note: status === 'error' ? 'docker run failed' : null,
  };
}

/** A sweep folder description. */
export function info(name: string): SweepInfo {
  return { dir: `/tmp/${name}`, name, image: 'flaky:latest', parallelism: 'serial', tag: null, nodeids: [] };
}

/** `failed` iterations failing test_a with A1 (from iteration 1 on), then passes up to `total`. */
export function sweepResults(total: number, failedRuns: number[]): IterationResult[] {
  return Array.from({ length: total }, (_, i) => {
    const n = i + 1;
    return failedRuns.includes(n)
      ? result(n, 'failed', [{ test: 'tests/test_x.py::test_a', class: 'A1', message: `AssertionError in run ${n}` }])
      : result(n, 'passed');
  });
}
