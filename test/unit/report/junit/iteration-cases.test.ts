import { describe, expect, it } from 'vitest';

import { iterationCases, UNRECORDED_CLASS, WHOLE_RUN } from '../../../../src/report/junit/iteration-cases.js';
import { result } from '../fixtures.js';
import { EVENTS, RESULTS, ROUTER, SYNC } from './junit-fixture.js';

const outcomes = (cases: ReturnType<typeof iterationCases>) => cases.map((c) => [`${c.classname}::${c.name}`, c.outcome.kind]);

describe('iterationCases', () => {
  it('gives a failed iteration with plugin reports one case per test, the failure from result.json', () => {
    const cases = iterationCases(RESULTS[0]!, EVENTS[1]!);
    expect(outcomes(cases)).toEqual([
      ['tests.router.test_router::test_decisions[kv]', 'failed'],
      ['tests.router.test_sync.TestSync::test_indexers', 'passed'],
    ]);
    const failed = cases[0]!.outcome;
    expect(failed.kind === 'failed' && failed.failures.map((f) => [f.class, f.signature])).toEqual([['A1', 'a1f00d']]);
  });

  it('gives a passed iteration its passes and pytest skips from the reports', () => {
    expect(outcomes(iterationCases(RESULTS[1]!, EVENTS[2]!))).toEqual([
      ['tests.router.test_router::test_decisions[kv]', 'passed'],
      ['tests.router.test_sync.TestSync::test_indexers', 'passed'],
      ['tests.test_skip::test_later', 'skipped'],
    ]);
  });

  it('skips every case of an error iteration, the whole run when nothing ran, with the note', () => {
    const cases = iterationCases(RESULTS[2]!, []);
    expect(outcomes(cases)).toEqual([[`${WHOLE_RUN.classname}::${WHOLE_RUN.name}`, 'skipped']]);
    expect(cases[0]!.outcome).toEqual({ kind: 'skipped', reason: 'flakehunt: infrastructure error, not a test verdict: container did not start: no such image' });
  });

  it('skips the tests an interrupted iteration had run, finished or not', () => {
    const cases = iterationCases(RESULTS[3]!, EVENTS[4]!);
    expect(outcomes(cases)).toEqual([
      ['tests.router.test_router::test_decisions[kv]', 'skipped'],
      ['tests.router.test_sync.TestSync::test_indexers', 'skipped'],
    ]);
    expect(cases.every((c) => c.outcome.kind === 'skipped' && c.outcome.reason === 'flakehunt: interrupted, not a test verdict: SIGINT')).toBe(true);
  });

  it('without reports, adds the whole run, so its history is the iteration verdict', () => {
    const failed = iterationCases(result(7, 'failed', [{ test: ROUTER, class: 'A1', message: 'boom' }], 4000), []);
    expect(outcomes(failed)).toEqual([
      ['tests.router.test_router::test_decisions[kv]', 'failed'],
      ['flakehunt::whole-run', 'failed'],
    ]);
    expect(failed[1]!.time).toBe(4);
    expect(outcomes(iterationCases(result(8, 'passed'), []))).toEqual([['flakehunt::whole-run', 'passed']]);
  });

  it('puts failures of the run as a whole on the whole-run case, even with reports', () => {
    const r = result(9, 'failed', [{ test: null, class: 'A4', message: '[flakehunt] HANG: no output for 15m' }]);
    const cases = iterationCases(r, [{ event: 'start', nodeid: SYNC }, { event: 'report', nodeid: SYNC, when: 'call', outcome: 'passed' }]);
    expect(outcomes(cases)).toEqual([
      ['tests.router.test_sync.TestSync::test_indexers', 'passed'],
      ['flakehunt::whole-run', 'failed'],
    ]);
  });

  it('fails a test the plugin saw fail when result.json kept no failure for it', () => {
    const cases = iterationCases(result(10, 'failed', []), [{ event: 'report', nodeid: SYNC, when: 'call', outcome: 'failed', message: 'assert 1 == 2' }]);
    expect(cases[0]!.outcome).toEqual({ kind: 'failed', failures: [{ test: null, class: UNRECORDED_CLASS, message: 'assert 1 == 2' }] });
  });

  it('counts a setup failure as the test failing, and a test that never finished as skipped', () => {
    const cases = iterationCases(result(11, 'failed', []), [
      { event: 'report', nodeid: ROUTER, when: 'setup', outcome: 'failed', message: 'fixture broke' },
      { event: 'start', nodeid: SYNC },
    ]);
    expect(outcomes(cases)).toEqual([
      ['tests.router.test_router::test_decisions[kv]', 'failed'],
      ['tests.router.test_sync.TestSync::test_indexers', 'skipped'],
    ]);
  });
});

describe('iterationCases: what pytest said', () => {
  const leak = 'test_known.py::test_leaks_secret';
  const crash = { test: leak, class: 'A4_crash', message: 'FAILED   [ 87%]Fatal Python error: Aborted' };
  const report = (message: string) => [{ event: 'report' as const, nodeid: leak, when: 'call' as const, outcome: 'failed' as const, message }];

  it("adds pytest's message when the log gave the test another failure", () => {
    const [c] = iterationCases(result(1, 'failed', [crash]), report("AssertionError: token was [redacted]\nassert '[redacted]' == 'expected'"));
    expect(c!.outcome).toEqual({ kind: 'failed', failures: [crash], pytestMessage: "AssertionError: token was [redacted]\nassert '[redacted]' == 'expected'" });
  });

  it('leaves it out when it tells the same as the failure, rewritten assertion and all', () => {
    const same = { test: leak, class: 'A1', message: 'AssertionError: expected 1 got 2' };
    const [c] = iterationCases(result(1, 'failed', [same]), report('AssertionError: expected 1 got 2\nassert 1 == 2'));
    expect(c!.outcome).toEqual({ kind: 'failed', failures: [same] });
  });
});
