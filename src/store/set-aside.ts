import { mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';

const ATTEMPT_DIR = /^attempt-(\d+)$/;

/**
 * Moves whatever an earlier attempt left in a run folder into `attempt-K/` (K the next free number),
 * so a re-run starts clean and nothing is ever deleted. Returns the attempt number the new run is.
 */
export async function setAsidePreviousAttempt(runDir: string): Promise<number> {
  await mkdir(runDir, { recursive: true });
  const entries = await readdir(runDir);
  const earlier = entries
    .map((name) => ATTEMPT_DIR.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  const leftovers = entries.filter((name) => !ATTEMPT_DIR.test(name));
  const attempt = earlier.length === 0 ? 1 : Math.max(...earlier) + 1;
  if (leftovers.length === 0) return attempt;
  const aside = path.join(runDir, `attempt-${attempt}`);
  await mkdir(aside);
  for (const name of leftovers) await rename(path.join(runDir, name), path.join(aside, name));
  return attempt + 1;
}
