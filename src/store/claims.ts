import { rm } from 'node:fs/promises';

import { writeJsonAtomic } from './atomic-write.js';
import type { SweepLayout } from './layout.js';
import { type CompromisedHandler, type Release, tryLock, withLock } from './locks.js';
import { currentProcess, isOwnerAlive, type ProcessIdentity } from './process-identity.js';
import { readJsonFilesIn, readJsonIfExists } from './read-json.js';

/** What `.claims/runNNN.json` says: who runs the iteration, since when. */
export interface ClaimInfo {
  iteration: number;
  owner: ProcessIdentity;
  claimedAt: string;
  runner: string | null;
  /** When the runner started: an iteration can be claimed well before it runs (prepared ahead). */
  startedAt?: string;
}

/** An iteration this process holds: nobody else runs it until released. */
export interface Claim {
  iteration: number;
  /** The claim was taken over from a dead owner, whose container may still be around. */
  tookOver: boolean;
  setRunner(runner: string): Promise<void>;
  release(): Promise<void>;
}

/**
 * Claims an iteration for this process, taking over a claim whose owner died (same host: the pid is
 * gone; another host: the lock went stale). Null when a live process holds it.
 *
 * The whole exchange runs under the sweep lock, and the claim file is written before that lock is
 * let go: a process that finds a dead owner can never remove a lock that another process has just
 * taken over, whichever way (dead pid or stale lock) that process took it.
 */
export async function claimIteration(
  layout: SweepLayout,
  iteration: number,
  onCompromised: CompromisedHandler,
): Promise<Claim | null> {
  const lockPath = layout.claimLock(iteration);
  return withLock(layout.sweepLock, onCompromised, async () => {
    let release = await tryLock(lockPath, onCompromised);
    let tookOver = false;
    if (release === null) {
      const info = await readJsonIfExists<ClaimInfo>(layout.claimInfo(iteration)).catch(() => null);
      // No claim file: its owner is between taking the lock and writing it, or died right there;
      // the lock's staleness settles the second case.
      if (info === null || isOwnerAlive(info.owner) !== false) return null;
      await rm(lockPath, { recursive: true, force: true });
      release = await tryLock(lockPath, onCompromised);
      if (release === null) return null;
      tookOver = true;
    }
    return holdClaim(layout, iteration, release, tookOver);
  });
}

async function holdClaim(layout: SweepLayout, iteration: number, release: Release, tookOver: boolean): Promise<Claim> {
  const info: ClaimInfo = { iteration, owner: currentProcess(), claimedAt: new Date().toISOString(), runner: null };
  // Claims are about live processes: after a machine crash none of them matters.
  await writeJsonAtomic(layout.claimInfo(iteration), info, false);
  let released = false;
  return {
    iteration,
    tookOver,
    async setRunner(runner: string) {
      if (!released) await writeJsonAtomic(layout.claimInfo(iteration), { ...info, runner, startedAt: new Date().toISOString() }, false);
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
export function readClaims(layout: SweepLayout): Promise<ClaimInfo[]> {
  return readJsonFilesIn<ClaimInfo>(layout.claimsDir);
}
