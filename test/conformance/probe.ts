import type { Executor, MountSpec, RunningIteration } from '../../src/executors/executor.js';
import type { ProcessIdentity } from '../../src/store/process-identity.js';

/**
 * What the conformance kit needs to know of a back end to check it from the outside: each
 * executor's test file supplies one, so the kit itself imports no executor.
 */
export interface ExecutorProbe {
  /** The back end's name in test titles. */
  name: string;
  /** A fresh executor; called once per check, so each check gets a pristine instance. */
  makeExecutor(): Executor;
  /** The image iterations run in: null for back ends that run on this machine. */
  image: string | null;
  /** Where the fixture programs are, as the iterations see them. */
  programsDir: string;
  /** Mounts every iteration gets (for a container: the fixture programs). */
  mounts: MountSpec[];
  /** Told of every started iteration, right after the start (to find what it leaves behind later). */
  started(running: RunningIteration): Promise<void>;
  /** Forgets what `started` learnt: called before each check. */
  reset(): void;
  /** Whether any process of the iteration still runs. */
  stillRunning(running: RunningIteration): Promise<boolean>;
  /** What iterations of a sweep left behind, one line each, with the state in parentheses: `container ab12 (created)`. */
  leftovers(sweepId: string): Promise<string[]>;
  /** The states `leftovers` shows for a prepared iteration before its start: `['created']`, or `[]` when nothing exists yet. */
  preparedStates: string[];
  /** FLAKEHUNT_ARTIFACTS as the iteration sees it, for an artifacts folder at `artifactsDir`. */
  artifactsPathIn(running: RunningIteration, artifactsDir: string): string;
  /** Makes `owner` the iteration's owner where the back end keeps it outside the spec's labels. */
  setOwner(running: RunningIteration, owner: ProcessIdentity): Promise<void>;
  /** Whether an id that reap() returned names this iteration. */
  reapedNames(reaped: string, running: RunningIteration): boolean;
  /** How many processes the iteration has, when the probe can count them; null when it cannot. */
  processCount(running: RunningIteration): number | null;
  /** Whether the command can run as PID 1 without an init (then an abort may show as 139, not 134). */
  canRunWithoutInit: boolean;
  /** How long removals may go on after cleanup() returns (a node finishing them on its own); 0: none. */
  settleMs: number;
  /** Checks the back end cannot pass by its nature, with why: registered as skipped, the reason in their names. */
  cannot: Partial<Record<Limit, string>>;
}

/** What some back ends cannot do. */
export type Limit = 'forensics-lists-processes';
