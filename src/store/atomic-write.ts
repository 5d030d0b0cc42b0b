import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes a file so that readers see the old contents or the new, never a torn mix. `durable`
 * also flushes it to the disk first (for records; files derived from them can be rebuilt).
 */
export async function writeFileAtomic(file: string, contents: string, durable = true): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(contents, 'utf8');
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** JSON with a trailing newline, written atomically. */
export async function writeJsonAtomic(file: string, value: unknown, durable = true): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, durable);
}
