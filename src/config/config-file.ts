import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { UsageError } from '../core/errors.js';

export const DEFAULT_CONFIG_FILE = 'flakehunt.config.json';

/** The keys a config file may set: the `run` flags in camelCase. */
export const CONFIG_KEYS = [
  'executor', 'image', 'pytestNodeid', 'parallelism', 'start', 'end', 'tag', 'logsDir', 'pytestArgs', 'pytestLauncher',
  'command', 'env', 'envPass', 'mount', 'workdir', 'network', 'shmSize', 'ulimit', 'gpus', 'cpus', 'memory', 'init',
  'artifactsDir', 'artifactsEnv', 'timeout', 'idleTimeout', 'grace', 'jobs', 'chunkSize', 'chunkParallel',
  'untilFail', 'maxFailures', 'taxonomy', 'infraRetries',
] as const;

export type ConfigValues = Partial<Record<(typeof CONFIG_KEYS)[number], unknown>>;

/**
 * Reads `--config FILE`, or `flakehunt.config.json` in the working directory when present.
 * Relative paths inside it (mounts, logsDir, taxonomy) are taken relative to the file.
 */
export async function loadConfigFile(explicit: string | undefined): Promise<{ values: ConfigValues; dir: string; file: string | null }> {
  const file = explicit ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (explicit === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, dir: process.cwd(), file: null };
    throw new UsageError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`config file ${file} must hold a JSON object of run options`);
  const known = new Set<string>(CONFIG_KEYS);
  for (const key of Object.keys(data)) {
    if (!known.has(key)) throw new UsageError(`config file ${file}: unknown key "${key}"; known keys: ${CONFIG_KEYS.join(', ')}`);
  }
  return { values: data as ConfigValues, dir: path.dirname(path.resolve(file)), file: path.resolve(file) };
}
