import type { ExecutorKind } from '../executors/registry.js';
import type { MountSpec, ResourceSpec } from '../executors/executor.js';

/** What runs in each iteration: the tests, and how they are started. These define the experiment. */
export interface RunSpec {
  image: string | null;
  nodeids: string[];
  /** `serial`, or the N of `pytest -n N` as a string. */
  parallelism: string;
  /** The pytest launcher, e.g. `python3 -m pytest`; unused when `command` is set. */
  pytestLauncher: string[];
  pytestArgs: string[];
  /** Any other test runner, as an argument vector (`--command`). */
  command: string[] | null;
}

/** The container around the tests. */
export interface ContainerSettings {
  env: Record<string, string>;
  envPass: string[];
  mounts: MountSpec[];
  workdir: string | null;
  resources: ResourceSpec;
  artifactsDir: string;
  artifactsEnv: string[];
}

/** When the harness stops an iteration itself. */
export interface IterationLimits {
  timeoutMs: number;
  idleTimeoutMs: number;
  graceMs: number;
}

/** Which iterations run, how many at once, in what units. */
export interface Schedule {
  start: number;
  end: number;
  jobs: number;
  chunkSize: number | null;
  /** Re-run finished iterations and accept changed sweep settings. */
  force: boolean;
  /** Retries of an iteration that hit an infrastructure error (container could not start, daemon lost). */
  infraRetries: number;
}

/** When the whole sweep stops early. */
export interface StopSettings {
  untilFail: boolean;
  maxFailures: number | null;
  /** Consecutive infrastructure errors after which the sweep stops instead of recording bogus results. */
  maxConsecutiveInfraErrors: number;
}

/** Where results go and how they are read. */
export interface OutputSettings {
  logsDir: string;
  tag: string | null;
  taxonomyFile: string;
}

/** Every setting of a sweep, resolved from flags, the config file and defaults (src/config/). */
export interface SweepConfig {
  executor: ExecutorKind;
  run: RunSpec;
  container: ContainerSettings;
  limits: IterationLimits;
  schedule: Schedule;
  stop: StopSettings;
  output: OutputSettings;
}

/** The settings that define what a sweep measures: resuming with other values would mix two experiments. */
export function identityOf(config: SweepConfig): Record<string, unknown> {
  const { run } = config;
  return {
    executor: config.executor,
    image: run.image,
    nodeids: run.nodeids,
    parallelism: run.parallelism,
    command: run.command,
    pytestArgs: run.pytestArgs,
  };
}
