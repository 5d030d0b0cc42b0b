import { PLUGIN_MODULE } from '../core/container-paths.js';
import type { RunSpec } from './sweep-config.js';

/**
 * The argument vector an iteration runs: pytest verbose (one outcome line per test as it happens),
 * with flakehunt's reporter plugin and, unless serial, `-n N` for pytest-xdist; or `--command` as given.
 */
export function testArgv(run: RunSpec, plugins: string[] = []): string[] {
  if (run.command !== null) return run.command;
  const xdist = run.parallelism === 'serial' ? [] : ['-n', run.parallelism];
  const more = plugins.flatMap((plugin) => ['-p', plugin]);
  return [...run.pytestLauncher, '-v', '-rfE', '-p', PLUGIN_MODULE, ...more, ...xdist, ...run.pytestArgs, ...run.nodeids];
}

export function runnerMode(run: Pick<RunSpec, 'command'>): 'pytest' | 'command' {
  return run.command === null ? 'pytest' : 'command';
}

export function parallelismKind(run: Pick<RunSpec, 'parallelism'>): 'serial' | 'xdist' {
  return run.parallelism === 'serial' ? 'serial' : 'xdist';
}
