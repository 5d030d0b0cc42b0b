import { readFile } from 'node:fs/promises';

import { UsageError } from './errors.js';

/**
 * Reads and parses a JSON file the user named (a config file, a taxonomy): a missing, unreadable
 * or malformed file is a UsageError saying which file, what was wrong and `fix`.
 */
export async function readUserJson(file: string, what: string, fix: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as Error).message}; ${fix}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
