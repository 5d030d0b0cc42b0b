/** A small sweep for the JUnit tests: a failed, a passed, an error and an interrupted iteration, with the plugin's reports. */
import type { PluginEvent } from '../../../../src/classify/classification.js';
import type { IterationResult } from '../../../../src/core/result.js';
import type { SignedFailure } from '../../../../src/report/junit/iteration-cases.js';
import { result } from '../fixtures.js';

export const ROUTER = 'tests/router/test_router.py::test_decisions[kv]';
export const SYNC = 'tests/router/test_sync.py::TestSync::test_indexers';
export const EVIL = 'tests/test_param.py::test_weird[<b>&"\u0007]';

const A1: SignedFailure = { test: ROUTER, class: 'A1', message: 'AssertionError: expected worker 1, got 2\n(and "more")', signature: 'a1f00d', signatureText: 'AssertionError: expected worker <n>, got <n>' };

export const RESULTS: IterationResult[] = [
  { ...result(1, 'failed', [A1]), durationMs: 2500 },
  result(2, 'passed'),
  { ...result(3, 'error'), note: 'container did not start: no such image' },
  { ...result(4, 'interrupted'), note: 'SIGINT' },
  { ...result(5, 'failed', [{ test: EVIL, class: 'UNCLASSIFIED', message: 'ValueError: <\u0000> ]]> & bad' }]) },
];

function ran(nodeid: string, outcome: 'passed' | 'failed' | 'skipped', message: string | null = null): PluginEvent[] {
  return [
    { event: 'start', nodeid, worker: 'main' },
    { event: 'report', nodeid, when: 'setup', outcome: outcome === 'skipped' ? 'skipped' : 'passed', message: null, worker: 'main' },
    ...(outcome === 'skipped' ? [] : [{ event: 'report' as const, nodeid, when: 'call' as const, outcome, message, worker: 'main' }]),
    { event: 'report', nodeid, when: 'teardown', outcome: 'passed', message: null, worker: 'main' },
  ];
}

/** The plugin's reports per iteration: 1, 2 and 4 ran with the plugin; 3 never started; 5 ran without it. */
export const EVENTS: Record<number, PluginEvent[]> = {
  1: [...ran(ROUTER, 'failed', 'AssertionError: expected worker 1, got 2'), ...ran(SYNC, 'passed')],
  2: [...ran(ROUTER, 'passed'), ...ran(SYNC, 'passed'), ...ran('tests/test_skip.py::test_later', 'skipped')],
  4: [...ran(ROUTER, 'passed'), { event: 'start', nodeid: SYNC, worker: 'main' }],
};

export const pluginEvents = async (iteration: number): Promise<PluginEvent[]> => EVENTS[iteration] ?? [];
