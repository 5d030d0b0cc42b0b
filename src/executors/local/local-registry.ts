import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { ProcessIdentity } from '../../store/process-identity.js';
import { readJsonFilesIn } from '../../store/read-json.js';

/** A process group started by the local executor, recorded so a later run can reap it if its owner dies. */
export interface LocalEntry {
  sweepId: string;
  pgid: number;
  sandbox: string;
  owner: ProcessIdentity;
}

/** Per user, so that nobody else can plant entries that this user's reaping would act on. */
export function registryDir(): string {
  return path.join(os.tmpdir(), `flakehunt-local-${process.getuid?.() ?? 'user'}`);
}

/** Where sandboxes live: reaping removes nothing outside of this prefix. */
export function sandboxPrefix(): string {
  return path.join(os.tmpdir(), 'flakehunt-');
}

async function ensureRegistry(): Promise<void> {
  await mkdir(registryDir(), { recursive: true, mode: 0o700 });
  const info = await lstat(registryDir());
  if (!info.isDirectory() || (process.getuid !== undefined && info.uid !== process.getuid()) || (info.mode & 0o077) !== 0) {
    throw new Error(`${registryDir()} is not a private folder of this user; remove it and run again`);
  }
}

export async function registerGroup(entry: LocalEntry): Promise<void> {
  await ensureRegistry();
  await writeFile(path.join(registryDir(), `${entry.pgid}.json`), JSON.stringify(entry), { mode: 0o600 });
}

export async function unregisterGroup(pgid: number): Promise<void> {
  await rm(path.join(registryDir(), `${pgid}.json`), { force: true });
}

export async function readRegistry(): Promise<LocalEntry[]> {
  try {
    await ensureRegistry();
  } catch {
    return [];
  }
  return readJsonFilesIn<LocalEntry>(registryDir());
}

/** Whether the group leader still runs with this sweep's marker (guards against a reused pid). */
export async function groupBelongsTo(pgid: number, sweepId: string): Promise<boolean> {
  try {
    const environ = await readFile(`/proc/${pgid}/environ`, 'latin1');
    return environ.split('\0').includes(`FLAKEHUNT_SWEEP=${sweepId}`);
  } catch {
    return false;
  }
}
