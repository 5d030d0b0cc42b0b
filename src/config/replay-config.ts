import path from 'node:path';

import { DEFAULT_TAXONOMY } from '../classify/taxonomy-loader.js';
import { DEFAULT_ARTIFACTS_DIR } from '../core/container-paths.js';
import { UsageError } from '../core/errors.js';
import type { IterationResult } from '../core/result.js';
import type { MountSpec, ResourceSpec } from '../executors/executor.js';
import { parseExecutorKind } from '../executors/registry.js';
import type { SweepRecord } from '../store/sweep-record.js';
import type { SweepConfig } from '../sweep/sweep-config.js';
import { byteSize, gpus, splitWords, ulimit } from './option-parsers.js';
import { parsePerturbation } from './perturbation-spec.js';
import { RUN_OPTIONS } from './run-option-table.js';

/** Resources as sweep.json keeps them: typed, or in the flag forms of sweeps made before they were. */
function resourcesFrom(raw: Record<string, unknown> | undefined): ResourceSpec {
  const r = raw ?? {};
  const bytes = (typed: unknown, text: unknown, flag: string) => (typeof typed === 'number' ? typed : typeof text === 'string' ? byteSize(text, flag) : null);
  const ulimits = Array.isArray(r.ulimits) ? r.ulimits.map((u) => (typeof u === 'string' ? ulimit(u) : (u as ResourceSpec['ulimits'][number]))) : [];
  return {
    init: r.init !== false,
    network: typeof r.network === 'string' ? r.network : null,
    shmBytes: bytes(r.shmBytes, r.shmSize, '--shm-size'),
    ulimits,
    gpus: typeof r.gpus === 'string' ? gpus(r.gpus) : ((r.gpus as ResourceSpec['gpus']) ?? null),
    cpus: typeof r.cpus === 'number' ? r.cpus : null,
    memoryBytes: bytes(r.memoryBytes, r.memory, '--memory'),
    cpuset: typeof r.cpuset === 'string' ? r.cpuset : null,
  };
}

export interface ReplayOverrides {
  /** Values for --env variables sweep.json keeps masked (their secrets), and other additions. */
  env: Record<string, string>;
  envPass: string[];
  image: string | null;
  logsDir: string | null;
  tag: string | null;
  iterations: number;
  jobs: number;
}

/**
 * The config that runs one recorded iteration again, `iterations` times, exactly: the sweep's
 * tests, container and limits from its sweep.json, and the iteration's conditions from its
 * result.json (cell, perturbation draws, test order seed, PYTHONHASHSEED).
 */
export function replayConfigOf(runDir: string, record: SweepRecord, result: IterationResult, overrides: ReplayOverrides): SweepConfig {
  const conditions = result.conditions;
  if (conditions === undefined) {
    throw new UsageError(`${runDir} ran before flakehunt recorded the conditions of each iteration: it cannot be replayed exactly; run the sweep's command again instead`);
  }
  const { identity, settings } = record;
  const env = { ...((settings.env as Record<string, string> | undefined) ?? {}), ...overrides.env };
  const masked = Object.entries(env).filter(([, value]) => value === '<redacted>').map(([key]) => key);
  if (masked.length > 0) {
    throw new UsageError(`sweep.json does not keep the value of ${masked.join(', ')} (it is secret): give it again with --env ${masked[0]}=… or --env-pass ${masked[0]}`);
  }
  const executor = parseExecutorKind(identity.executor ?? 'docker', 'the recorded executor');
  const sweepName = path.basename(path.dirname(path.resolve(runDir)));
  const run = path.basename(path.resolve(runDir));
  // What was applied is the replayed run's own count, not a condition to run under.
  const { applied: _applied, ...toRunUnder } = conditions;
  const perturbation = parsePerturbation(conditions.perturbation, 'the recorded perturbation');
  const launcher = Array.isArray(settings.pytestLauncher) ? (settings.pytestLauncher as string[]) : splitWords(String(RUN_OPTIONS.pytestLauncher.default), 'launcher');
  return {
    executor,
    run: {
      // The very image the iteration ran, by its id, unless told otherwise.
      image: overrides.image ?? result.imageId ?? record.imageId ?? identity.image ?? null,
      nodeids: identity.nodeids ?? [],
      parallelism: conditions.parallelism,
      pytestLauncher: launcher,
      pytestArgs: identity.pytestArgs ?? [],
      command: identity.command ?? null,
    },
    container: {
      constraints: (settings.constraints as string[] | undefined) ?? [],
      env,
      envPass: [...new Set([...((settings.envPass as string[] | undefined) ?? []), ...overrides.envPass])],
      mounts: (settings.mounts as MountSpec[] | undefined) ?? [],
      workdir: (settings.workdir as string | null | undefined) ?? null,
      resources: resourcesFrom(settings.resources as Record<string, unknown> | undefined),
      artifactsDir: (settings.artifactsDir as string | undefined) ?? DEFAULT_ARTIFACTS_DIR,
      artifactsEnv: (settings.artifactsEnv as string[] | undefined) ?? [],
    },
    limits: {
      timeoutMs: (settings.timeoutMs as number | undefined) ?? 3_600_000,
      idleTimeoutMs: (settings.idleTimeoutMs as number | undefined) ?? 900_000,
      graceMs: (settings.graceMs as number | undefined) ?? 10_000,
    },
    schedule: { start: 1, end: overrides.iterations, jobs: overrides.jobs, chunkSize: null, force: false, infraRetries: 2 },
    stop: { untilFail: false, maxFailures: null, reproduce: null, decide: null, maxConsecutiveInfraErrors: 3 },
    output: {
      logsDir: overrides.logsDir ?? path.dirname(path.dirname(path.resolve(runDir))),
      tag: overrides.tag ?? `${sweepName}_${run}`,
      taxonomyFile: record.taxonomy || DEFAULT_TAXONOMY,
      junit: null,
      annotations: null,
    },
    conditions: {
      cells: [{ name: conditions.cell ?? conditions.perturbation, parallelism: conditions.parallelism, perturbation, perturbationText: conditions.perturbation }],
      matrix: null,
      seed: null,
      replayOf: { run: path.join(sweepName, run), conditions: toRunUnder },
    },
    hunt: null,
  };
}
