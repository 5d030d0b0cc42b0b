/** Two sweeps for the HTML report tests (unit and browser): 13/50 failing of mixed classes, and 0/50. */
import type { Failure, IterationResult } from '../../../src/core/result.js';
import { compareSweeps } from '../../../src/report/compare.js';
import { summarize, type RuleInfo } from '../../../src/report/summarize.js';
import type { SweepInfo } from '../../../src/report/summary-types.js';
import { result } from './fixtures.js';

export const RULES: RuleInfo[] = [
  { id: 'A1', title: 'KV prefix-routing assertion', kind: 'test-bug' },
  { id: 'A2', title: 'Router event-sync mismatch', kind: 'test-bug' },
  { id: 'A3', title: 'Test timeout (pytest-timeout)', kind: 'test-bug' },
  { id: 'A5', title: 'Infrastructure / network', kind: 'infrastructure' },
];
export const ROUTER = 'tests/router/test_router.py::test_router_decisions[kv]';
export const SYNC = 'tests/router/test_sync.py::test_indexers_sync';
export const EVIL = 'tests/test_param.py::test_weird[<script>alert("x")</script>]';

/** The 13 failing iterations of the base sweep: mostly A1, some A2, one A3, one A5 (infrastructure), one UNCLASSIFIED. */
export const FAILURES: Record<number, Failure[]> = {
  ...Object.fromEntries([6, 11, 14, 21, 33, 40, 45].map((n) => [n, [{ test: ROUTER, class: 'A1', message: `AssertionError: expected worker 1, got ${n % 3}` }]])),
  12: [{ test: SYNC, class: 'A2', message: 'AssertionError: indexers differ after 3 events' }],
  38: [{ test: SYNC, class: 'A2', message: 'AssertionError: indexers differ after 5 events' }],
  29: [
    { test: ROUTER, class: 'A1', message: 'AssertionError: expected worker 1, got 2' },
    { test: SYNC, class: 'A2', message: 'AssertionError: indexers differ after 2 events' },
  ],
  24: [{ test: ROUTER, class: 'A3', message: 'Failed: Timeout >300.0s' }],
  17: [{ test: null, class: 'A5', message: "ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded" }],
  48: [{ test: EVIL, class: 'UNCLASSIFIED', message: `ValueError: got '<b>' & "quoted" instead` }],
};

export function sweepInfo(name: string): SweepInfo {
  return { dir: `/work/sweeps/${name}`, name, image: 'router-tests:latest', parallelism: 'serial', tag: name.split('_')[1] ?? null, nodeids: [] };
}

export function sweep(name: string, failures: Record<number, Failure[]>): IterationResult[] {
  return Array.from({ length: 50 }, (_, i) => {
    const n = i + 1;
    const f = failures[n];
    const ms = f?.[0]?.class === 'A3' ? 301_200 : 240_000 + ((n * 7919) % 45) * 1000 + (name.length % 7) * 1500;
    return f ? result(n, 'failed', f, ms) : result(n, 'passed', [], ms);
  });
}

/** Two sweeps, 13/50 failing and 0/50 failing, with their comparison. */
export function buildReportInput(reportDir: string, sweepsDir = '/work/sweeps') {
  const infoIn = (name: string): SweepInfo => ({ ...sweepInfo(name), dir: `${sweepsDir}/${name}` });
  const base = summarize(sweep('serial_base', FAILURES), infoIn('serial_base'), RULES);
  const fixed = summarize(sweep('serial_fix13', {}), infoIn('serial_fix13'), RULES);
  return { summaries: [base, fixed], comparisons: [compareSweeps(base, fixed)], generatedAt: '2024-05-01T12:00:00Z', reportDir };
}
