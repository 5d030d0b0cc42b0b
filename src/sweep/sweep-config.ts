import type { MountSpec, ResourceSpec } from '../executors/executor.js';

/** Every setting of a sweep, resolved from flags, the config file and defaults. */
export interface SweepConfig {
  executor: 'docker' | 'local';
  image: string | null;
  nodeids: string[];
  /** `serial`, or the N of `pytest -n N` as a string. */
  parallelism: string;
  start: number;
  end: number;
  tag: string | null;
  logsDir: string;
  /** The pytest launcher, e.g. `python3 -m pytest`; unused when `command` is set. */
  pytestLauncher: string[];
  pytestArgs: string[];
  /** Any other test runner, as an argument vector (`--command`). */
  command: string[] | null;
  env: Record<string, string>;
  envPass: string[];
  mounts: MountSpec[];
  workdir: string | null;
  resources: ResourceSpec;
  artifactsDir: string;
  artifactsEnv: string[];
  timeoutMs: number;
  idleTimeoutMs: number;
  graceMs: number;
  jobs: number;
  chunkSize: number | null;
  force: boolean;
  untilFail: boolean;
  maxFailures: number | null;
  taxonomyFile: string;
  /** Retries of an iteration that hit an infrastructure error (container could not start, daemon lost). */
  infraRetries: number;
  /** Consecutive infrastructure errors after which the sweep stops instead of recording bogus results. */
  maxConsecutiveInfraErrors: number;
}

/** The settings that define what a sweep measures: resuming with other values would mix two experiments. */
export function identityOf(config: SweepConfig): Record<string, unknown> {
  return {
    executor: config.executor,
    image: config.image,
    nodeids: config.nodeids,
    parallelism: config.parallelism,
    command: config.command,
    pytestArgs: config.pytestArgs,
  };
}

/** Where flakehunt's own files go inside the container. */
export const PLUGIN_DIR = '/flakehunt/plugin';
export const DEFAULT_ARTIFACTS_DIR = '/flakehunt/artifacts';
