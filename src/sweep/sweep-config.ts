import path from 'node:path';

import type { IterationConditions, PerturbationSpec } from '../core/conditions.js';
import type { HuntTarget } from '../core/hunt-target.js';
import type { ExecutorKind, ExecutorOptions } from '../executors/registry.js';
import { sweepFolderName } from '../store/layout.js';
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
  /** Where a swarm may place iterations (`node.labels.gpu==true`); other back ends refuse them. */
  constraints: string[];
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
  /** A hunt stops once its target was reproduced this many times (over the whole sweep, every process). */
  reproduce: { target: HuntTarget; count: number } | null;
  /** `--until-decided`: stop once a sequential test answers the question. */
  decide: DecisionRequest | null;
  /** Consecutive infrastructure errors after which the sweep stops instead of recording bogus results. */
  maxConsecutiveInfraErrors: number;
}

/** Where results go and how they are read. */
export interface OutputSettings {
  logsDir: string;
  tag: string | null;
  taxonomyFile: string;
  /** Also write the sweep as JUnit XML here when it ends. */
  junit: string | null;
  /** Print CI annotations for failing tests when it ends. */
  annotations: 'github' | null;
}

/** One set of conditions iterations run under: a cell of `--matrix`, or the only one. */
export interface MatrixCell {
  /** `parallelism=4 noise=cpu:0.3`; without a matrix, the perturbation's text (`none`). */
  name: string;
  parallelism: string;
  perturbation: PerturbationSpec;
  /** The perturbation in its canonical text. */
  perturbationText: string;
}

/** The question of `--until-decided`: below a target rate, or below a finished baseline sweep's rate. */
export type DecisionRequest =
  | { mode: 'target'; targetRate: number; alpha: number; power: number }
  | { mode: 'baseline'; baseline: string; alpha: number; power: number };

/** What iterations run under, and how their conditions are drawn. */
export interface ConditionsSettings {
  /** Every cell, in the order `--matrix` spans them; one cell without a matrix. */
  cells: MatrixCell[];
  /** The `--matrix` dimensions as given (`noise=none,cpu:0.3`); null without a matrix. */
  matrix: string[] | null;
  /** The seed of every draw; null: drawn when the sweep is created, then kept in sweep.json. */
  seed: string | null;
  /** `replay`: every iteration runs under exactly these conditions (drawn once, for the iteration replayed). */
  replayOf: { run: string; conditions: IterationConditions } | null;
}

/** What a hunt looks for, and how long it may look. */
export interface HuntSettings {
  target: HuntTarget;
  /** Stop once the target was reproduced this many times. */
  reproductions: number;
  /** Stop after this much wall time (ms), if given; the iteration budget is the range. */
  budgetMs: number | null;
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
  conditions: ConditionsSettings;
  /** Set for `flakehunt hunt`: cells are then chosen adaptively instead of in turn. */
  hunt: HuntSettings | null;
}

/** The settings that define what a sweep measures: resuming with other values would mix two experiments. */
export function identityOf(config: SweepConfig): Record<string, unknown> {
  const { run, conditions } = config;
  const single = conditions.matrix === null ? conditions.cells[0]! : null;
  return {
    executor: config.executor,
    image: run.image,
    nodeids: run.nodeids,
    parallelism: run.parallelism,
    command: run.command,
    pytestArgs: run.pytestArgs,
    // Absent (null) for sweeps without them, so sweeps made before perturbations existed resume.
    perturbation: single === null || single.perturbationText === 'none' ? null : single.perturbationText,
    matrix: conditions.cells.length > 1 || conditions.matrix !== null ? conditions.cells.map((c) => c.name) : null,
    hunt: config.hunt === null ? null : config.hunt.target,
    replayOf: conditions.replayOf?.run ?? null,
    // The suite a bind mount brings in is code under test as much as the image is.
    mounts: config.container.mounts.map((m) => `${m.host}:${m.container}${m.readOnly ? ':ro' : ''}`),
    workdir: config.container.workdir,
  };
}

/** Identity keys added after sweeps were first recorded: a sweep.json without them resumes as before. */
export const LATER_IDENTITY_KEYS: ReadonlySet<string> = new Set(['mounts', 'workdir']);

/** The kind of sweep, for its folder name: `hunt`, `matrix`, or the parallelism (`serial`, `4`). */
export function sweepKindOf(config: SweepConfig): string {
  if (config.conditions.replayOf !== null) return 'replay';
  if (config.hunt !== null) return 'hunt';
  if (config.conditions.matrix !== null) return 'matrix';
  return config.run.parallelism;
}

/** The folder a sweep of this config writes: `<logs>/<serial|nN|matrix|hunt|replay>[_<tag>]`. */
export function sweepDirOf(config: SweepConfig): string {
  return path.resolve(config.output.logsDir, sweepFolderName(sweepKindOf(config), config.output.tag));
}

/** What the back end needs to know of the sweep it runs. */
export function executorOptionsOf(config: SweepConfig): ExecutorOptions {
  return { constraints: config.container.constraints, graceMs: config.limits.graceMs, sweepDir: sweepDirOf(config) };
}
