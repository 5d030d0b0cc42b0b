import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Parses a JSON file; null when it does not exist. Other errors (bad JSON, permissions) propagate. */
export async function readJsonIfExists<T>(file: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return JSON.parse(text) as T;
}

/**
 * Every `*.json` file of a folder, parsed, in name order: none when the folder is missing. A file
 * that cannot be read or parsed (half-written by a process killed mid-write) is left out.
 */
export async function readJsonFilesIn<T>(dir: string): Promise<T[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const entries = await Promise.all(names.map((name) => readJsonIfExists<T>(path.join(dir, name)).catch(() => null)));
  return entries.filter((entry): entry is Awaited<T> => entry !== null) as T[];
}
