import { existsSync } from 'node:fs';
import path from 'node:path';

import { UsageError } from '../core/errors.js';
import { readUserJson } from '../core/read-json-file.js';
import { CONFIG_KEYS, RUN_OPTIONS, type RunOptionKey, type RunOptionSpec } from './run-option-table.js';

export const DEFAULT_CONFIG_FILE = 'flakehunt.config.json';

/** Run option values as given: by flags (strings) or by a config file (any JSON). */
export type ConfigValues = Partial<Record<RunOptionKey, unknown>>;

const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';

/**
 * What is wrong with a config-file value's JSON type, by the option's flag: a switch takes true or
 * false, a repeatable option one value or a list of them (--env, objectOfValues, also an object), any
 * other option a string, a number or a list of words. Null when the type is right; the value itself is checked by
 * the option's parser, as a flag's is.
 */
function typeProblem(spec: RunOptionSpec<unknown>, value: unknown): string | null {
  if (value === null) return null;
  if (!spec.flags.includes('<')) return typeof value === 'boolean' ? null : 'must be true or false';
  if (spec.repeatable) {
    if (isScalar(value) || (Array.isArray(value) && value.every(isScalar))) return null;
    if (spec.objectOfValues && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => isScalar(v) || typeof v === 'boolean')) return null;
    return spec.objectOfValues ? 'must be an object of variables ({"NAME": "value"}) or a list of "NAME=value"' : 'must be a string or a list of strings';
  }
  // An argument vector (pytestArgs, command) may be a list of words.
  return isScalar(value) || (Array.isArray(value) && value.every(isScalar)) ? null : 'must be a string, a number or a list of words';
}

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
  for (const [key, value] of Object.entries(data)) {
    if (!known.has(key)) throw new UsageError(`config file ${file}: unknown key "${key}"; known keys: ${CONFIG_KEYS.join(', ')}`);
    const problem = typeProblem(RUN_OPTIONS[key as RunOptionKey], value);
    if (problem !== null) throw new UsageError(`config file ${file}: "${key}" ${problem}, got ${JSON.stringify(value)}`);
  }
  return { values: data as ConfigValues, dir: path.dirname(path.resolve(file)), file: path.resolve(file) };
}
