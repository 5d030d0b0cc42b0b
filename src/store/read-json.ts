import { readFile } from 'node:fs/promises';

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
