import { chmod, copyFile, cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { UsageError } from '../../core/errors.js';
import type { IterationSpec } from '../executor.js';
import { DIR_LABEL } from '../labels.js';

/** The folder of the sweep folder that holds every iteration's files while its task runs. */
const STAGING = '.swarm';

/**
 * An iteration's files on the shared folder, bind-mounted into its task wherever it runs: the
 * artifacts folder, and copies of the files flakehunt places into the container (the plugin),
 * whose originals may not be on the shared folder.
 */
export interface Staging {
  dir: string;
  artifacts: string;
  /** Container path → the copy on the shared folder. */
  files: Record<string, string>;
}

export function stagingFor(spec: IterationSpec, serviceName: string): Staging {
  const sweepDir = spec.labels[DIR_LABEL];
  if (sweepDir === undefined || !path.isAbsolute(sweepDir)) throw new UsageError(`iteration ${spec.name} has no absolute sweep folder label (${DIR_LABEL}): the swarm executor keeps its files there`);
  return stagingIn(sweepDir, serviceName, Object.keys(spec.inject));
}

/** The staging folder of a service named `serviceName` in `sweepDir` (also for reaping what a dead process left). */
export function stagingIn(sweepDir: string, serviceName: string, injected: string[] = []): Staging {
  const dir = path.join(sweepDir, STAGING, serviceName);
  const files = Object.fromEntries(injected.map((target, i) => [target, path.join(dir, 'files', `${i}-${path.posix.basename(target)}`)]));
  return { dir, artifacts: path.join(dir, 'artifacts'), files };
}

/** Creates the folders (the artifacts one writable by any container user) and copies the files in. */
export async function createStaging(staging: Staging, inject: Record<string, string>): Promise<void> {
  await mkdir(path.join(staging.dir, 'files'), { recursive: true });
  await mkdir(staging.artifacts, { recursive: true });
  await chmod(staging.artifacts, 0o777);
  await Promise.all(Object.entries(staging.files).map(([target, copy]) => copyFile(inject[target]!, copy)));
}

/**
 * Moves the artifacts into destDir (a rename on the same file system: nothing is copied), or,
 * when they were moved already, copies them from where they went. Returns where they are now.
 */
export async function takeArtifacts(staging: Staging, movedTo: string | null, destDir: string): Promise<string> {
  if (movedTo !== null) {
    if (path.resolve(movedTo) !== path.resolve(destDir)) await cp(movedTo, destDir, { recursive: true, force: false, errorOnExist: false, verbatimSymlinks: true });
    return movedTo;
  }
  await mkdir(path.dirname(destDir), { recursive: true });
  const existing = await stat(destDir).catch(() => null);
  try {
    // rename(2) replaces an empty folder; a non-empty one refuses (ENOTEMPTY / EEXIST), then copy.
    if (existing === null || existing.isDirectory()) {
      await rename(staging.artifacts, destDir);
      return destDir;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EXDEV') throw error;
  }
  await cp(staging.artifacts, destDir, { recursive: true, force: false, errorOnExist: false, verbatimSymlinks: true });
  return destDir;
}

export async function removeStaging(staging: Staging): Promise<void> {
  await rm(staging.dir, { recursive: true, force: true });
}
