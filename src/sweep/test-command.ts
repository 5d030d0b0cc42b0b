import type { SweepConfig } from './sweep-config.js';

export const PLUGIN_MODULE = 'flakehunt_reporter';

/**
 * The argument vector an iteration runs: pytest verbose (one outcome line per test as it happens),
 * with flakehunt's reporter plugin and, unless serial, `-n N` for pytest-xdist; or `--command` as given.
 */
export function testArgv(config: SweepConfig): string[] {
  if (config.command !== null) return config.command;
  const xdist = config.parallelism === 'serial' ? [] : ['-n', config.parallelism];
  return [...config.pytestLauncher, '-v', '-rfE', '-p', PLUGIN_MODULE, ...xdist, ...config.pytestArgs, ...config.nodeids];
}

export function runnerMode(config: SweepConfig): 'pytest' | 'command' {
  return config.command === null ? 'pytest' : 'command';
}

export function parallelismKind(config: Pick<SweepConfig, 'parallelism'>): 'serial' | 'xdist' {
  return config.parallelism === 'serial' ? 'serial' : 'xdist';
}
