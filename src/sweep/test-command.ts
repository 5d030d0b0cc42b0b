import { PLUGIN_MODULE } from '../core/container-paths.js';
import type { RunSpec } from './sweep-config.js';

/**
 * The argument vector an iteration runs: pytest verbose (one outcome line per test as it happens),
 * with flakehunt's reporter plugin and, unless serial, `-n N` for pytest-xdist; or `--command` as given.
 */
export function testArgv(run: RunSpec): string[] {
  if (run.command !== null) return run.command;
  const xdist = run.parallelism === 'serial' ? [] : ['-n', run.parallelism];
  return [...run.pytestLauncher, '-v', '-rfE', '-p', PLUGIN_MODULE, ...xdist, ...run.pytestArgs, ...run.nodeids];
}

export function runnerMode(run: Pick<RunSpec, 'command'>): 'pytest' | 'command' {
  return run.command === null ? 'pytest' : 'command';
}

export function parallelismKind(run: Pick<RunSpec, 'parallelism'>): 'serial' | 'xdist' {
  return run.parallelism === 'serial' ? 'serial' : 'xdist';
}
