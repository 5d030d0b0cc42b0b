import { rm } from 'node:fs/promises';

import { writeJsonAtomic } from './atomic-write.js';
import type { SweepLayout } from './layout.js';
import { type CompromisedHandler, type Release, tryLock, withLock } from './locks.js';
import { currentProcess, isOwnerAlive, type ProcessIdentity } from './process-identity.js';
import { readJsonIfExists } from './read-json.js';

/** What `.claims/runNNN.json` says: who runs the iteration, since when. */
export interface ClaimInfo {
  iteration: number;
  owner: ProcessIdentity;
  claimedAt: string;
  runner: string | null;
}

/** An iteration this process holds: nobody else runs it until released. */
export interface Claim {
  iteration: number;
  setRunner(runner: string): Promise<void>;
  release(): Promise<void>;
}

/**
 * Claims an iteration for this process, taking over a claim whose owner died (same host: the pid is
 * gone; another host: the lock went stale). Null when a live process holds it.
 */
export async function claimIteration(
  layout: SweepLayout,
  iteration: number,
  onCompromised: CompromisedHandler,
): Promise<Claim | null> {
  const lockPath = layout.claimLock(iteration);
  let release = await tryLock(lockPath, onCompromised);
  if (release === null) {
    const info = await readJsonIfExists<ClaimInfo>(layout.claimInfo(iteration)).catch(() => null);
    if (info === null || isOwnerAlive(info.owner) !== false) return null;
    // The owner is dead but its lock is still fresh: take it over under the sweep lock, so that two
    // processes finding the same dead owner cannot both remove the lock and both take it.
    release = await withLock(layout.sweepLock, onCompromised, async () => {
      const again = await tryLock(lockPath, onCompromised);
      if (again !== null) return again;
      const current = await readJsonIfExists<ClaimInfo>(layout.claimInfo(iteration)).catch(() => null);
      if (current === null || isOwnerAlive(current.owner) !== false) return null;
      await rm(lockPath, { recursive: true, force: true });
      return tryLock(lockPath, onCompromised);
    });
    if (release === null) return null;
  }
  return holdClaim(layout, iteration, release);
}

async function holdClaim(layout: SweepLayout, iteration: number, release: Release): Promise<Claim> {
  const info: ClaimInfo = { iteration, owner: currentProcess(), claimedAt: new Date().toISOString(), runner: null };
  await writeJsonAtomic(layout.claimInfo(iteration), info);
  let released = false;
  return {
    iteration,
    async setRunner(runner: string) {
      if (!released) await writeJsonAtomic(layout.claimInfo(iteration), { ...info, runner });
    },
    async release() {
      if (released) return;
      released = true;
      await rm(layout.claimInfo(iteration), { force: true });
      await release().catch(() => undefined);
    },
  };
}

/** Reads every claim file of a sweep (for `flakehunt status`). */
export async function readClaims(layout: SweepLayout): Promise<ClaimInfo[]> {
  const { readdir } = await import('node:fs/promises');
  let names: string[];
  try {
    names = await readdir(layout.claimsDir);
  } catch {
    return [];
  }
  const claims = await Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map((name) => readJsonIfExists<ClaimInfo>(`${layout.claimsDir}/${name}`).catch(() => null)),
  );
  return claims.filter((claim): claim is ClaimInfo => claim !== null);
}
