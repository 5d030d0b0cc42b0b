import type { Failure, IterationStatus, KilledBy } from '../core/result.js';

/** How an iteration ended, from the harness's point of view: the input to classification. */
export interface RunExit {
  exitCode: number | null;
  killedBy: KilledBy;
  /** The container was OOM-killed (Docker's State.OOMKilled). */
  oomKilled?: boolean;
  /** The container's memory limit, when it had one. */
  memoryLimitBytes?: number | null;
  /** The signal that ended the test command, when the executor knows it (`SIGABRT`). */
  signal?: string | null;
}

/** pytest never got to run a test: what failed, for the one line that stops the sweep. */
export interface StartupFailure {
  /**
   * `plugin`: a `-p` plugin that does not import; `conftest`: a conftest.py that raises; `usage`:
   * bad arguments; `command`: the container's program could not be executed; `pytest`: anything else.
   */
  what: 'plugin' | 'conftest' | 'usage' | 'command' | 'pytest';
  /** The plugin's name or the conftest's path, when known. */
  name: string | null;
  /** The error, one line. */
  error: string;
}

/** What the log and the plugin's reports say happened in one iteration. */
export interface Classification {
  status: Exclude<IterationStatus, 'interrupted'>;
  classes: string[];
  failures: Failure[];
  exitCodeMismatch: boolean;
  tests: { passed: number; failed: number };
  /** pytest could not start or collect the tests (bad node id, syntax error, no tests, a plugin or conftest.py that fails): the sweep should stop. */
  collectionFailure: boolean;
  /** When pytest could not even start: what failed (collectionFailure is then true too, and note says it in one line). */
  startupFailure: StartupFailure | null;
  note: string | null;
}

/** One record of the in-container pytest plugin (templates/pytest-plugin/flakehunt_reporter.py). */
export interface PluginEvent {
  event: 'session' | 'start' | 'report' | 'collect' | 'finish';
  nodeid?: string;
  worker?: string | null;
  when?: 'setup' | 'call' | 'teardown';
  outcome?: 'passed' | 'failed' | 'skipped';
  message?: string | null;
  /** start: the absolute path of the test's file. */
  path?: string;
  /** report, collect: the exception type as Python prints it. */
  exception?: string;
  /** report: the traceback's frames outside pytest, outermost first: [file, line, function]. */
  frames?: Array<[string, number, string]>;
  /** session: pytest's rootdir and the directory it was started in. */
  rootdir?: string;
  invocationDir?: string;
  pid?: number;
  /** finish: pytest's exit status. */
  exitstatus?: number;
}

export type Parallelism = 'serial' | 'xdist';
export type RunnerMode = 'pytest' | 'command';
