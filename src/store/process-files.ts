import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

import { writeJsonAtomic } from './atomic-write.js';
import type { SweepLayout } from './layout.js';
import { isOwnerAlive, type ProcessIdentity } from './process-identity.js';
import { readJsonFilesIn } from './read-json.js';

/** `.processes/<host>-<pid>.json`: a flakehunt process working on the sweep, and on which range. */
export interface ProcessFile {
  owner: ProcessIdentity;
  start: number;
  end: number;
  jobs: number;
  startedAt: string;
}

function fileOf(layout: SweepLayout, owner: ProcessIdentity): string {
  return path.join(layout.processesDir, `${owner.host}-${owner.pid}.json`);
}

/** Announces this process; returns the function that withdraws it. */
export async function announceProcess(layout: SweepLayout, entry: ProcessFile): Promise<() => Promise<void>> {
  await mkdir(layout.processesDir, { recursive: true });
  // A killed process could not withdraw itself: its record is dropped by the next one to come (of this host; another host's cannot be told dead).
  for (const other of await readProcessFiles(layout)) {
    if (isOwnerAlive(other.owner) === false) await rm(fileOf(layout, other.owner), { force: true });
  }
  const file = fileOf(layout, entry.owner);
  await writeJsonAtomic(file, entry);
  return () => rm(file, { force: true });
}

export function readProcessFiles(layout: SweepLayout): Promise<ProcessFile[]> {
  return readJsonFilesIn<ProcessFile>(layout.processesDir);
}
