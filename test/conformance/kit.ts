import type { ExitInfo, Executor, IterationSpec, RunningIteration } from '../../src/executors/executor.js';
import type { ProcessIdentity } from '../../src/store/process-identity.js';
import type { OutputReader } from './support/output-reader.js';
import type { ExecutorProbe, Limit } from './probe.js';

/** What each check of the kit works with; every method acts on the check that is running. */
export interface Kit {
  probe: ExecutorProbe;
  /** The check's executor (a fresh one per check). */
  executor(): Executor;
  /** The check's own sweep id: leftovers are attributable. */
  sweepId(): string;
  /** A scratch folder of the check's own. */
  scratch(): string;
  /** A fixture program, as the iteration sees it. */
  program(file: string): string;
  /** The spec of an iteration of the check's sweep, built as src/sweep/iteration-spec.ts builds real ones. */
  spec(argv: string[], overrides?: Partial<IterationSpec> & { owner?: ProcessIdentity }): IterationSpec;
  /** Starts an iteration (cleaned up after the check) and starts reading its output. */
  start(spec: IterationSpec): Promise<{ running: RunningIteration; out: OutputReader }>;
  /** Starts an iteration (cleaned up after the check) without reading its output. */
  startUnread(spec: IterationSpec): Promise<RunningIteration>;
  /** Takes on an iteration started another way (a prepared one): cleaned up after the check. */
  adopt(running: RunningIteration): Promise<void>;
  /** Awaits the end of a run: `exited` resolves, and the output ends, without errors. */
  finish(running: RunningIteration, out: OutputReader, ms?: number): Promise<ExitInfo>;
  /** A figure to print after the kit has run. */
  measure(line: string): void;
  /** Nothing of the sweep is left (awaited up to the probe's settleMs). */
  expectNoLeftovers(sweepId: string): Promise<void>;
  /** A check, or a skipped one named with the reason when the back end cannot do what it checks. */
  unless(limit: Limit, title: string, body: () => Promise<void>, timeoutMs: number): void;
}

export const ARTIFACTS_DIR = '/flakehunt/artifacts';
/** What `os.abort()` may be reported as: 128 + SIGABRT, or 128 + SIGSEGV when a PID 1 cannot die by SIGABRT. */
export const ABORT_CODES_WITH_INIT = [134];
export const ABORT_CODES_WITHOUT_INIT = [134, 139];
