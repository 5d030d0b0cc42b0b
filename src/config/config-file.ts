import { existsSync } from 'node:fs';
import path from 'node:path';

import { UsageError } from '../core/errors.js';
import { readUserJson } from '../core/read-json-file.js';
import { CONFIG_KEYS, type RunOptionKey } from './run-option-table.js';

export const DEFAULT_CONFIG_FILE = 'flakehunt.config.json';

/** Run option values as given: by flags (strings) or by a config file (any JSON). */
export type ConfigValues = Partial<Record<RunOptionKey, unknown>>;

/**
 * Reads `--config FILE`, or `flakehunt.config.json` in the working directory when present.
 * Relative paths inside it (mounts, logsDir, taxonomy) are taken relative to the file.
 */
export async function loadConfigFile(explicit: string | null | undefined): Promise<{ values: ConfigValues; dir: string; file: string | null }> {
  const file = explicit ?? DEFAULT_CONFIG_FILE;
  if ((explicit === null || explicit === undefined) && !existsSync(file)) return { values: {}, dir: process.cwd(), file: null };
  const data = await readUserJson(file, 'config file', 'give an existing JSON file to --config');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`config file ${file} must hold a JSON object of run options`);
  const known = new Set<string>(CONFIG_KEYS);
  for (const key of Object.keys(data)) {
    if (!known.has(key)) throw new UsageError(`config file ${file}: unknown key "${key}"; known keys: ${CONFIG_KEYS.join(', ')}`);
  }
  return { values: data as ConfigValues, dir: path.dirname(path.resolve(file)), file: path.resolve(file) };
}
