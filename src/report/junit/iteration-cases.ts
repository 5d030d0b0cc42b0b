import type { PluginEvent } from '../../classify/classification.js';
import { isVerdict, type Failure, type IterationResult } from '../../core/result.js';
import { junitNames } from './node-id.js';

/** A failure as issue #14 extends it: a short stable id and the normalised message it was made from. */
export type SignedFailure = Failure & { signature?: string; signatureText?: string };

export type CaseOutcome =
  | { kind: 'passed' }
  /** `pytestMessage`: what pytest itself reported, when the plugin's report says something else than the failures. */
  | { kind: 'failed'; failures: SignedFailure[]; pytestMessage?: string }
  | { kind: 'skipped'; reason: string };

/** One `<testcase>`: a test node id of one iteration, or the iteration as a whole. */
export interface JunitCase {
  classname: string;
  name: string;
  /** Seconds, when known: per-test durations are not recorded, the whole run's is. */
  time: number | null;
  outcome: CaseOutcome;
}

/** The test case that stands for the iteration itself (its classname and name). */
export const WHOLE_RUN = { classname: 'flakehunt', name: 'whole-run' } as const;

/** The class given to a test the plugin saw fail when result.json kept no failure for it (it keeps at most 200). */
export const UNRECORDED_CLASS = 'UNRECORDED';

/** What the plugin's reports say of one node id: its worst outcome and the message of its first failure. */
interface ReportedTest {
  failed: boolean;
  skipped: boolean;
  callPassed: boolean;
  message: string | null;
}

function reportedTests(events: PluginEvent[]): Map<string, ReportedTest> {
  const tests = new Map<string, ReportedTest>();
  for (const event of events) {
    // Session and collection events name no test.
    if (event.nodeid === undefined) continue;
    let test = tests.get(event.nodeid);
    if (!test) {
      test = { failed: false, skipped: false, callPassed: false, message: null };
      tests.set(event.nodeid, test);
    }
    if (event.event !== 'report') continue;
    if (event.outcome === 'failed') {
      test.message ??= event.message ?? null;
      test.failed = true;
    } else if (event.outcome === 'skipped') {
      test.skipped = true;
    } else if (event.outcome === 'passed' && event.when === 'call') {
      test.callPassed = true;
    }
  }
  return tests;
}

/** Whether pytest's message (several lines, with the assertion's rewrite) tells the same as a failure's one line. */
function tellsTheSame(pytestMessage: string, failure: string): boolean {
  const first = (pytestMessage.split('\n')[0] ?? '').trim();
  const line = failure.trim();
  return first.includes(line) || line.includes(first);
}

/** A test's outcome: result.json's failures win (they carry the class), then the plugin's word. */
function testOutcome(failures: SignedFailure[], reported: ReportedTest | undefined): CaseOutcome {
  if (failures.length > 0) {
    const pytestMessage = reported?.message;
    // The log can attribute a crash to the test that printed last; pytest's own word then adds what was lost.
    return pytestMessage && !failures.some((f) => tellsTheSame(pytestMessage, f.message)) ? { kind: 'failed', failures, pytestMessage } : { kind: 'failed', failures };
  }
  if (reported?.failed) return { kind: 'failed', failures: [{ test: null, class: UNRECORDED_CLASS, message: reported.message ?? 'failed' }] };
  if (reported?.skipped) return { kind: 'skipped', reason: 'skipped by pytest' };
  if (reported?.callPassed) return { kind: 'passed' };
  return { kind: 'skipped', reason: 'started, but the run ended before it finished' };
}

function wholeRunOutcome(result: IterationResult, runFailures: SignedFailure[]): CaseOutcome {
  if (runFailures.length > 0) return { kind: 'failed', failures: runFailures };
  if (result.status !== 'failed') return { kind: 'passed' };
  // Failed, yet no failure of the run as a whole: every failure is a test's, shown on its own case.
  const tests = new Set(result.failures.map((f) => f.test)).size;
  const message = tests > 0 ? `the iteration failed: ${tests} failing test${tests === 1 ? '' : 's'} in this suite` : (result.note ?? 'the iteration failed');
  return { kind: 'failed', failures: [{ test: null, class: result.classes.join(',') || 'UNCLASSIFIED', message }] };
}

/** Why a case of an iteration that is no test verdict is skipped. */
function notAVerdict(result: IterationResult): string {
  const what = result.status === 'error' ? 'infrastructure error' : 'interrupted';
  return `flakehunt: ${what}, not a test verdict${result.note ? `: ${result.note}` : ''}`;
}

/**
 * The test cases of one iteration. result.json lists failures, not passes, so passed tests come
 * from the plugin's reports (`events`): with them, one case per node id in the order they ran, then
 * failing ones the reports lack; without them (no plugin: `--command`, a seed-script folder), only
 * the failing tests are known. The whole-run case is added when the iteration has failures of the
 * run as a whole, or when no per-test outcome is known, so its pass/fail history is the iteration's.
 * Error and interrupted iterations are no verdict (flakehunt counts them in no rate): every case is
 * skipped, which Jenkins, GitLab and the flaky-test dashboards leave out of their failure counts.
 */
export function iterationCases(result: IterationResult, events: PluginEvent[]): JunitCase[] {
  const reported = reportedTests(events);
  const byTest = new Map<string, SignedFailure[]>();
  const runFailures: SignedFailure[] = [];
  for (const failure of result.failures as SignedFailure[]) {
    if (failure.test === null) runFailures.push(failure);
    else byTest.set(failure.test, [...(byTest.get(failure.test) ?? []), failure]);
  }
  const nodeids = [...new Set([...reported.keys(), ...byTest.keys()])];
  const cases: JunitCase[] = nodeids.map((nodeid) => ({
    ...junitNames(nodeid),
    time: null,
    outcome: testOutcome(byTest.get(nodeid) ?? [], reported.get(nodeid)),
  }));
  if (runFailures.length > 0 || reported.size === 0) {
    cases.push({ ...WHOLE_RUN, time: result.durationMs / 1000, outcome: wholeRunOutcome(result, runFailures) });
  }
  if (isVerdict(result)) return cases;
  const reason = notAVerdict(result);
  return cases.map((c) => ({ ...c, outcome: { kind: 'skipped', reason } }));
}
