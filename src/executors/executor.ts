import type { Readable } from 'node:stream';

import type { AppliedPerturbation, PerturbationKind, RuntimePerturbation } from '../core/conditions.js';
import type { ProcessIdentity } from '../store/process-identity.js';

/** A mount of a host path into the container. */
export interface MountSpec {
  host: string;
  container: string;
  readOnly: boolean;
}

/** Everything needed to start one iteration; the same spec is printed by `--dry-run`. */
export interface IterationSpec {
  /** Unique per attempt; used in container names. */
  name: string;
  sweepId: string;
  iteration: number;
  image: string | null;
  /** The command as an argument vector: never passed through a shell. */
  argv: string[];
  /** Variables set explicitly (printed by --dry-run and written to sweep.json). */
  env: Record<string, string>;
  /** Host variables passed by name: their values are read at start and never written anywhere. */
  envPass: string[];
  workdir: string | null;
  mounts: MountSpec[];
  /** Where the tests write what should be copied out after the run. */
  artifactsDir: string;
  /** Files placed into the container (or the local sandbox) before it starts: container path → host file. */
  inject: Record<string, string>;
  labels: Record<string, string>;
  resources: ResourceSpec;
  /** What the executor applies while the iteration runs (hogs, stalls, network); null for none. */
  perturbation: RuntimePerturbation | null;
}

/** Container resources, parsed and checked at the edge (the run options); back ends only map them. */
export interface ResourceSpec {
  /** Run an init process as PID 1 (docker --init): signals and exit codes behave as outside a container. */
  init: boolean;
  network: string | null;
  shmBytes: number | null;
  ulimits: Ulimit[];
  gpus: GpuRequest | null;
  cpus: number | null;
  memoryBytes: number | null;
  /** The CPUs the container may run on (`0`, `0-1`); null: any. */
  cpuset: string | null;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** GPUs to pass: a count (or all of them), or particular devices. */
export type GpuRequest = { count: number | 'all' } | { deviceIds: string[] };

/** How a run ended, as the executor saw it. */
export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** The kernel's OOM killer ended it (the container's memory limit was reached); null when unknown. */
  oomKilled?: boolean | null;
  /**
   * Set when the executor lost the run (its node went down, its daemon restarted): exitCode is
   * null then, and the iteration is an infrastructure error, never a test result. Says why.
   */
  lost?: string;
}

/** A started iteration. Every method is safe to call in any state and more than once. */
export interface RunningIteration {
  /** Short id for log lines (container id or pid). */
  readonly id: string;
  /** Where it runs, for executors that place runs on one of several machines (swarm); known once started. */
  readonly node?: { id: string; hostname: string } | null;
  /** The console, stdout and stderr interleaved in order, as raw bytes; ends when the run has exited. */
  readonly output: Readable;
  /** Resolves when the process or container has exited; never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** A snapshot of what runs inside (process list, stack dumps where possible), for hang forensics. */
  forensics(): Promise<string>;
  /** SIGTERM, wait up to graceMs, then SIGKILL. Resolves once it has exited. */
  stop(graceMs: number): Promise<void>;
  /** Copies the artifacts folder out into destDir (created if needed). */
  collectArtifacts(destDir: string): Promise<void>;
  /** Removes the container or process group and everything it holds. Idempotent. */
  cleanup(): Promise<void>;
  /** What its run-time perturbation did so far; absent for back ends (or iterations) that apply none. */
  applied?(): AppliedPerturbation | null;
}

/**
 * An iteration made ready to start (a created container) while nothing of it runs yet, so a
 * sweep can pay for the set-up while the previous iteration is still running.
 */
export interface PreparedIteration {
  /** Starts it; on failure it is removed before the error is thrown. At most once. */
  start(): Promise<RunningIteration>;
  /** Removes it without ever starting it. Idempotent; a no-op once started. */
  discard(): Promise<void>;
}

/** A PreparedIteration over `start` and `discard`: it starts at most once, and is discarded only if it never started. */
export function preparedIteration(what: string, start: () => Promise<RunningIteration>, discard: () => Promise<void>): PreparedIteration {
  let state: 'prepared' | 'started' | 'discarded' = 'prepared';
  let discarding: Promise<void> | null = null;
  return {
    start: async () => {
      if (state !== 'prepared') throw new Error(`${what} was already ${state}`);
      state = 'started';
      return start();
    },
    discard: async () => {
      if (state === 'started') return;
      state = 'discarded';
      discarding ??= discard();
      await discarding;
    },
  };
}

/** One verdict of `flakehunt doctor`: what was checked, how it went, and what to do about it. */
export interface EnvironmentCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** A back end that runs iterations in isolation: Docker containers, or local process groups (see registry.ts). */
export interface Executor {
  readonly kind: string;
  /** Checks that the back end answers at all (`flakehunt clean`); throws EnvironmentError when not. */
  ping(): Promise<void>;
  /**
   * Checks the environment (daemon reachable, image present, what the perturbations need); throws
   * EnvironmentError or UsageError.
   */
  preflight(image: string | null, perturbations?: PerturbationKind[]): Promise<{ imageId: string | null }>;
  /** What `start` would create for this spec, as plain data with secret values masked (`--dry-run`). */
  describe(spec: IterationSpec): unknown;
  /** Does all the work of `start` short of running the command. */
  prepare(spec: IterationSpec): Promise<PreparedIteration>;
  /** `prepare` then `start`. */
  start(spec: IterationSpec): Promise<RunningIteration>;
  /** Removes what earlier, dead flakehunt processes left behind. Returns the ids removed. */
  reap(filter: ReapFilter): Promise<string[]>;
  /** What works here and what does not (`flakehunt doctor`); never throws: a failure is a `fail` check. */
  checkEnvironment(image: string | null): Promise<EnvironmentCheck[]>;
}

export interface ReapFilter {
  /** Only this sweep's leftovers; all flakehunt leftovers when null. */
  sweepId: string | null;
  /** Also remove leftovers of live owners (`flakehunt clean --all`). */
  includeLiveOwners: boolean;
  /** Only what this process started (its forced exit on a second Ctrl-C). */
  onlyOwner?: ProcessIdentity;
}
