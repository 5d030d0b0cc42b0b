import type { Failure, IterationStatus, KilledBy } from '../core/result.js';

/** How an iteration ended, from the harness's point of view: the input to classification. */
export interface RunExit {
  exitCode: number | null;
  killedBy: KilledBy;
}

/** What the log and the plugin's reports say happened in one iteration. */
export interface Classification {
  status: Exclude<IterationStatus, 'interrupted'>;
  classes: string[];
  failures: Failure[];
  exitCodeMismatch: boolean;
  tests: { passed: number; failed: number };
  /** pytest could not collect the tests (bad node id, syntax error, no tests): the sweep should stop. */
  collectionFailure: boolean;
  note: string | null;
}

/** One record of the in-container pytest plugin (templates/pytest-plugin/flakehunt_reporter.py). */
export interface PluginEvent {
  event: 'start' | 'report';
  nodeid: string;
  worker?: string | null;
  when?: 'setup' | 'call' | 'teardown';
  outcome?: 'passed' | 'failed' | 'skipped';
  message?: string | null;
}

export type Parallelism = 'serial' | 'xdist';
export type RunnerMode = 'pytest' | 'command';
