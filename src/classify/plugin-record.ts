import type { FailurePhase } from '../core/result.js';
import type { PluginEvent } from './classification.js';
import type { Frame } from './exception-trace.js';
import type { PytestDirs, StartedTest } from './node-ids.js';

/** What the plugin recorded about one failed phase of a test (or a file that failed to collect). */
export interface PluginFailure {
  phase: FailurePhase;
  message: string | null;
  exception: string | null;
  frames: Frame[];
}

/** One test as the plugin saw it, under pytest's own node id. */
export interface PluginTest {
  nodeid: string;
  worker: string | null;
  /** The phases reported, in order. */
  reported: Array<'setup' | 'call' | 'teardown'>;
  failures: PluginFailure[];
  /** Its process ended without the plugin's finish event while the test had not finished. */
  died: boolean;
}

/**
 * The plugin's records of one iteration, one file per pytest process (xdist workers have their
 * own). A test that started and never finished, in a process that never reached the end of its
 * session, is the one that process was running when it died.
 */
export class PluginRecord {
  readonly tests = new Map<string, PluginTest>();
  readonly started: StartedTest[] = [];
  readonly collectFailures: Array<{ nodeid: string } & PluginFailure> = [];
  dirs: PytestDirs | null = null;
  /** The records carry session events (plugins older than them do not, and say nothing about deaths). */
  sessions = 0;

  constructor(events: Iterable<PluginEvent>) {
    // readPluginEvents gives one process's file after another; each starts with its session event.
    let processTests: PluginTest[] = [];
    let finished = false;
    const endProcess = () => {
      if (this.sessions > 0 && !finished) for (const test of processTests) if (!test.reported.includes('teardown')) test.died = true;
      processTests = [];
      finished = false;
    };
    for (const event of events) {
      if (event.event === 'session') {
        endProcess();
        this.sessions += 1;
        if (this.dirs === null && event.rootdir !== undefined) this.dirs = { rootdir: event.rootdir, invocationDir: event.invocationDir ?? null };
      } else if (event.event === 'finish') {
        finished = true;
      } else if (event.event === 'start' && event.nodeid !== undefined) {
        const test = this.test(event.nodeid, event.worker ?? null);
        processTests.push(test);
        if (event.path !== undefined) this.started.push({ nodeid: event.nodeid, path: event.path });
      } else if (event.event === 'report' && event.nodeid !== undefined && event.when !== undefined) {
        const test = this.test(event.nodeid, event.worker ?? null);
        test.reported.push(event.when);
        if (event.outcome === 'failed') test.failures.push(failureOf(event, event.when));
      } else if (event.event === 'collect' && event.nodeid !== undefined) {
        this.collectFailures.push({ nodeid: event.nodeid, ...failureOf(event, 'collection') });
      }
    }
    endProcess();
  }

  /** The tests the plugin saw start but not finish (whatever happened to their process). */
  unfinished(): PluginTest[] {
    return [...this.tests.values()].filter((test) => !test.reported.includes('teardown'));
  }

  /** The phase a test that died was in: the one after the last it reported. */
  static phaseOfDeath(test: PluginTest): 'setup' | 'call' | 'teardown' {
    const last = test.reported[test.reported.length - 1];
    return last === undefined ? 'setup' : last === 'setup' ? 'call' : 'teardown';
  }

  private test(nodeid: string, worker: string | null): PluginTest {
    let test = this.tests.get(nodeid);
    if (test === undefined) {
      test = { nodeid, worker, reported: [], failures: [], died: false };
      this.tests.set(nodeid, test);
    }
    return test;
  }
}

function failureOf(event: PluginEvent, phase: FailurePhase): PluginFailure {
  const frames = (event.frames ?? []).map(([file, , fn]) => ({ file, fn }));
  return { phase, message: event.message ?? null, exception: event.exception ?? null, frames };
}
