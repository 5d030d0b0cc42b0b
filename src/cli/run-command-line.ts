import { DEFAULT_TAXONOMY } from '../classify/taxonomy-loader.js';
import { isSecretName } from '../core/secrets.js';
import { RUN_OPTIONS } from '../config/run-option-table.js';
import type { SweepConfig } from '../sweep/sweep-config.js';

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Words as a POSIX shell reads them back: plain ones as they are, others in single quotes. */
export function shellLine(words: string[]): string {
  return words.map((word) => (PLAIN_WORD.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`)).join(' ');
}

/** Milliseconds in the largest unit that says them exactly, as the duration flags take them (`0`, `90s`, `1h`). */
function durationFlag(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/**
 * The `flakehunt run` command line that runs the tests of `config` again, under one perturbation
 * and parallelism: what a hunt prints for its best conditions. Secret `--env` values are not
 * known (sweep.json keeps them masked), so they are written as `--env-pass NAME`: set NAME first.
 */
export function runCommandLine(config: SweepConfig, under: { perturbation: string; parallelism: string; tag: string; end: number }): string {
  const { run, container, limits } = config;
  const argv = ['flakehunt', 'run'];
  const add = (...words: string[]) => argv.push(...words);
  if (config.executor !== RUN_OPTIONS.executor.default) add('--executor', config.executor);
  if (run.image !== null) add('-i', run.image);
  for (const id of run.nodeids) add('--pytest-nodeid', id);
  if (run.command !== null) add('--command', shellLine(run.command));
  if (run.command === null && under.parallelism !== 'serial') add('-p', under.parallelism);
  if (run.pytestArgs.length > 0) add('--pytest-args', shellLine(run.pytestArgs));
  if (run.pytestLauncher.join(' ') !== RUN_OPTIONS.pytestLauncher.default) add('--pytest-launcher', shellLine(run.pytestLauncher));
  for (const [key, value] of Object.entries(container.env)) {
    if (isSecretName(key)) add('--env-pass', key);
    else add('--env', `${key}=${value}`);
  }
  for (const name of container.envPass) add('--env-pass', name);
  for (const m of container.mounts) add('--mount', `${m.host}:${m.container}${m.readOnly ? ':ro' : ''}`);
  if (container.workdir !== null) add('--workdir', container.workdir);
  const r = container.resources;
  if (r.network !== null) add('--network', r.network);
  if (r.shmBytes !== null) add('--shm-size', String(r.shmBytes));
  for (const u of r.ulimits) add('--ulimit', `${u.name}=${u.soft}:${u.hard}`);
  if (r.gpus !== null) add('--gpus', 'deviceIds' in r.gpus ? `device=${r.gpus.deviceIds.join(',')}` : String(r.gpus.count));
  if (r.cpus !== null) add('--cpus', String(r.cpus));
  if (r.memoryBytes !== null) add('--memory', String(r.memoryBytes));
  if (!r.init) add('--no-init');
  if (container.artifactsDir !== RUN_OPTIONS.artifactsDir.default) add('--artifacts-dir', container.artifactsDir);
  for (const name of container.artifactsEnv) add('--artifacts-env', name);
  add('--timeout', durationFlag(limits.timeoutMs), '--idle-timeout', durationFlag(limits.idleTimeoutMs));
  if (config.output.taxonomyFile !== DEFAULT_TAXONOMY) add('--taxonomy', config.output.taxonomyFile);
  add('--logs-dir', config.output.logsDir);
  if (under.perturbation !== 'none') add('--perturb', under.perturbation);
  add('-e', String(under.end), '-t', under.tag);
  return shellLine(argv);
}
