import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import lockfile from 'proper-lockfile';

/** How long a lock may go without its owner refreshing it before others may take it over. */
export const LOCK_STALE_MS = 30_000;
const LOCK_UPDATE_MS = 5_000;

export type Release = () => Promise<void>;

/** Handlers for a lock whose owner lost it (its refresh failed): reported, never thrown from a timer. */
export type CompromisedHandler = (error: Error) => void;

function baseOptions(lockPath: string, onCompromised: CompromisedHandler): lockfile.LockOptions {
  return {
    lockfilePath: lockPath,
    realpath: false,
    stale: LOCK_STALE_MS,
    update: LOCK_UPDATE_MS,
    onCompromised,
  };
}

/** Waits for and takes an exclusive lock (a folder, so it works over shared file systems too). */
export async function acquireLock(lockPath: string, onCompromised: CompromisedHandler): Promise<Release> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  return lockfile.lock(lockPath, {
    ...baseOptions(lockPath, onCompromised),
    retries: { retries: 600, factor: 1.2, minTimeout: 10, maxTimeout: 250, randomize: true },
  });
}

/** Takes the lock if it is free or stale; null when someone else holds it. */
export async function tryLock(lockPath: string, onCompromised: CompromisedHandler): Promise<Release | null> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  try {
    return await lockfile.lock(lockPath, { ...baseOptions(lockPath, onCompromised), retries: 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return null;
    throw error;
  }
}

/** Runs fn while holding the lock, releasing it whatever happens. */
export async function withLock<T>(lockPath: string, onCompromised: CompromisedHandler, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(lockPath, onCompromised);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
