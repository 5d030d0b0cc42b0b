import { existsSync } from 'node:fs';
import path from 'node:path';

import shellQuote from 'shell-quote';

import { DEFAULT_TAXONOMY } from '../classify/taxonomy-loader.js';
import type { ConfigValues } from '../config/config-file.js';
import { UsageError } from '../core/errors.js';
import type { MountSpec } from '../executors/executor.js';
import { parseByteSize, parseGpus, parseUlimit } from '../executors/docker/container-spec.js';
import { parseDuration } from '../core/durations.js';
import { DEFAULT_ARTIFACTS_DIR, type SweepConfig } from '../sweep/sweep-config.js';

/** Defaults where neither a flag nor the config file says otherwise (documented in the README). */
export const RUN_DEFAULTS = {
  start: 1,
  end: 100,
  parallelism: 'serial',
  logsDir: 'logs',
  timeout: '1h',
  idleTimeout: '15m',
  grace: '10s',
  jobs: 1,
  infraRetries: 2,
  pytestLauncher: 'python3 -m pytest',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits a command line into words like a shell would, but runs nothing and expands nothing. */
export function splitWords(text: string, flag: string): string[] {
  const words = shellQuote.parse(text, (name) => `$${name}`);
  return words.map((word) => {
    if (typeof word !== 'string') {
      throw new UsageError(`${flag} ${JSON.stringify(text)} contains shell syntax (${JSON.stringify(word)}); it is not run by a shell: pass plain arguments, or wrap it as "bash -c '…'" yourself`);
    }
    return word;
  });
}

function words(value: unknown, flag: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(String);
  return splitWords(String(value), flag);
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function positiveInt(value: unknown, flag: string, min = 1): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function parseEnv(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) env[key] = String(v);
  } else {
    for (const entry of list(value)) {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new UsageError(`--env ${JSON.stringify(entry)} is not KEY=VALUE: write it like --env HF_HUB_OFFLINE=1 (use --env-pass NAME to pass a host variable)`);
      env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  }
  for (const key of Object.keys(env)) {
    if (!ENV_NAME.test(key)) throw new UsageError(`--env: ${JSON.stringify(key)} is not a valid variable name: use letters, digits and _, not starting with a digit`);
  }
  return env;
}

function parseMount(entry: string, baseDir: string): MountSpec {
  const parts = entry.split(':');
  const mode = parts.length === 3 ? parts[2] : 'rw';
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '' || (mode !== 'ro' && mode !== 'rw')) {
    throw new UsageError(`--mount ${JSON.stringify(entry)} is not HOST:CONTAINER[:ro]: write it like --mount ./tests:/suite:ro`);
  }
  const host = path.resolve(baseDir, parts[0]!);
  if (!existsSync(host)) throw new UsageError(`--mount: ${host} does not exist on this machine; give an existing host path`);
  if (!parts[1]!.startsWith('/')) throw new UsageError(`--mount: the container path ${JSON.stringify(parts[1])} must be absolute, like /suite`);
  return { host, container: parts[1]!, readOnly: mode === 'ro' };
}

function parseParallelism(value: string): string {
  if (value === 'serial') return value;
  const n = /^n?(\d+)$/.exec(value);
  if (n && Number(n[1]) >= 1) return String(Number(n[1]));
  throw new UsageError(`--parallelism ${JSON.stringify(value)} must be "serial" (no xdist) or a positive number N (pytest -n N)`);
}

/** Merges flags over the config file over defaults, validating every value. Flags win. */
export function resolveRunConfig(flags: ConfigValues & { force?: boolean; dryRun?: boolean }, file: ConfigValues, fileDir: string): SweepConfig {
  const pick = <K extends keyof ConfigValues>(key: K): unknown => (flags[key] !== undefined ? flags[key] : file[key]);
  const baseOf = <K extends keyof ConfigValues>(key: K): string => (flags[key] !== undefined ? process.cwd() : fileDir);

  const executor = String(pick('executor') ?? 'docker');
  if (executor !== 'docker' && executor !== 'local') throw new UsageError(`--executor must be docker or local, got ${JSON.stringify(executor)}`);
  const command = words(pick('command'), '--command');
  const nodeids = list(pick('pytestNodeid'));
  for (const id of nodeids) {
    if (id.startsWith('-')) throw new UsageError(`--pytest-nodeid ${JSON.stringify(id)} starts with '-': pass pytest options with --pytest-args instead`);
    if (id.includes('\0') || id.trim() === '') throw new UsageError('--pytest-nodeid must be a non-empty node id or path');
  }
  if (command === null && nodeids.length === 0) throw new UsageError('nothing to run: give --pytest-nodeid (repeatable) or --command "<test runner command>"');
  if (command !== null && command.length === 0) throw new UsageError('--command is empty: give the test runner command, e.g. --command "go test ./..."');
  const start = positiveInt(pick('start') ?? RUN_DEFAULTS.start, '--start');
  const end = positiveInt(pick('end') ?? RUN_DEFAULTS.end, '--end');
  if (start > end) throw new UsageError(`--start ${start} is after --end ${end}: the range must be start ≤ end, e.g. -s 1 -e 50`);
  const image = pick('image');
  if (executor === 'docker' && (image === undefined || image === null || String(image).trim() === '')) {
    throw new UsageError('--image is required with the docker executor: name the image to test, e.g. -i dynamo:latest-dev (or --executor local)');
  }
  for (const source of [flags, file]) {
    if (source.jobs !== undefined && source.chunkParallel !== undefined && Number(source.jobs) !== Number(source.chunkParallel)) {
      throw new UsageError('--jobs and --chunk-parallel both set how many run at once: give one of them');
    }
  }
  // Flags win over the file, whichever of the two names either of them uses.
  const jobsFlag = flags.jobs ?? flags.chunkParallel ?? file.jobs ?? file.chunkParallel;
  const jobsName = flags.jobs !== undefined || (flags.chunkParallel === undefined && file.jobs !== undefined) ? '--jobs' : '--chunk-parallel';
  const chunkSize = pick('chunkSize');
  const tag = pick('tag');
  const maxFailures = pick('maxFailures');
  const cpus = pick('cpus');
  const resources = {
    init: pick('init') === undefined ? true : Boolean(pick('init')),
    network: (pick('network') as string | undefined) ?? null,
    shmSize: (pick('shmSize') as string | undefined) ?? null,
    ulimits: list(pick('ulimit')),
    gpus: (pick('gpus') as string | undefined) ?? null,
    cpus: cpus === undefined ? null : Number(cpus),
    memory: (pick('memory') as string | undefined) ?? null,
  };
  if (resources.cpus !== null && !(resources.cpus > 0)) throw new UsageError(`--cpus must be a positive number like 1.5, got ${JSON.stringify(cpus)}`);
  if (resources.shmSize !== null) parseByteSize(resources.shmSize, '--shm-size');
  if (resources.memory !== null) parseByteSize(resources.memory, '--memory');
  resources.ulimits.forEach(parseUlimit);
  if (resources.gpus !== null) parseGpus(resources.gpus);
  const artifactsEnv = list(pick('artifactsEnv'));
  for (const name of artifactsEnv) if (!ENV_NAME.test(name)) throw new UsageError(`--artifacts-env ${JSON.stringify(name)} is not a valid variable name`);
  const envPass = list(pick('envPass'));
  for (const name of envPass) if (!ENV_NAME.test(name)) throw new UsageError(`--env-pass ${JSON.stringify(name)} is not a valid variable name`);
  const artifactsDir = String(pick('artifactsDir') ?? DEFAULT_ARTIFACTS_DIR);
  if (!artifactsDir.startsWith('/') || artifactsDir === '/') throw new UsageError(`--artifacts-dir must be an absolute folder inside the container other than /, got ${JSON.stringify(artifactsDir)}`);
  const taxonomy = pick('taxonomy');

  return {
    executor,
    image: executor === 'docker' ? String(image) : ((image as string | undefined) ?? null),
    nodeids,
    parallelism: parseParallelism(String(pick('parallelism') ?? RUN_DEFAULTS.parallelism)),
    start,
    end,
    tag: tag === undefined || tag === null ? null : String(tag),
    logsDir: path.resolve(baseOf('logsDir'), String(pick('logsDir') ?? RUN_DEFAULTS.logsDir)),
    pytestLauncher: words(pick('pytestLauncher'), '--pytest-launcher') ?? splitWords(RUN_DEFAULTS.pytestLauncher, 'launcher'),
    pytestArgs: words(pick('pytestArgs'), '--pytest-args') ?? [],
    command,
    env: parseEnv(pick('env')),
    envPass,
    mounts: list(pick('mount')).map((entry) => parseMount(entry, baseOf('mount'))),
    workdir: (pick('workdir') as string | undefined) ?? null,
    resources,
    artifactsDir,
    artifactsEnv,
    timeoutMs: parseDuration(String(pick('timeout') ?? RUN_DEFAULTS.timeout), '--timeout'),
    idleTimeoutMs: parseDuration(String(pick('idleTimeout') ?? RUN_DEFAULTS.idleTimeout), '--idle-timeout'),
    graceMs: parseDuration(String(pick('grace') ?? RUN_DEFAULTS.grace), '--grace'),
    jobs: positiveInt(jobsFlag ?? RUN_DEFAULTS.jobs, jobsName),
    chunkSize: chunkSize === undefined ? null : positiveInt(chunkSize, '--chunk-size'),
    force: flags.force === true,
    untilFail: Boolean(pick('untilFail')),
    maxFailures: maxFailures === undefined || maxFailures === null ? null : positiveInt(maxFailures, '--max-failures'),
    taxonomyFile: taxonomy === undefined ? DEFAULT_TAXONOMY : path.resolve(baseOf('taxonomy'), String(taxonomy)),
    infraRetries: positiveInt(pick('infraRetries') ?? RUN_DEFAULTS.infraRetries, '--infra-retries', 0),
    maxConsecutiveInfraErrors: 3,
  };
}
