import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { execa, type ResultPromise } from 'execa';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type Claim, type ClaimInfo, claimIteration, readClaims } from '../../../src/store/claims.js';
import { SweepLayout } from '../../../src/store/layout.js';
import { LOCK_STALE_MS, tryLock } from '../../../src/store/locks.js';
import { currentProcess, isOwnerAlive, processStartTime } from '../../../src/store/process-identity.js';

const HOLDER = fileURLToPath(new URL('../../fixtures/programs/claim-holder.mjs', import.meta.url));
const DIST_CLAIMS = fileURLToPath(new URL('../../../dist/store/claims.js', import.meta.url));

let dir: string;
let layout: SweepLayout;
const held: Claim[] = [];
const children: ResultPromise[] = [];
const compromised: Error[] = [];
const onCompromised = (error: Error) => {
  compromised.push(error);
};

beforeAll(() => {
  if (!existsSync(DIST_CLAIMS)) throw new Error(`${DIST_CLAIMS} is missing: run npx tsc -p tsconfig.json first`);
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-claims-'));
  layout = new SweepLayout(dir);
  compromised.length = 0;
});

afterEach(async () => {
  for (const claim of held.splice(0)) await claim.release();
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    await child;
  }
  expect(compromised).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

async function claim(iteration: number): Promise<Claim | null> {
  const c = await claimIteration(layout, iteration, onCompromised);
  if (c !== null) held.push(c);
  return c;
}

/** Starts claim-holder.mjs and resolves once it printed its verdict ("claimed" or "refused"). */
async function holderClaims(iteration: number): Promise<{ child: ResultPromise; verdict: string }> {
  const child = execa('node', [HOLDER, dir, String(iteration)], { reject: false, stdin: 'pipe' });
  children.push(child);
  const verdict = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(line!);
    });
    // 'close' comes after stdout has been read to its end, so a verdict printed before exiting is seen first.
    child.on('close', (code) => reject(new Error(`claim-holder exited (${code}) before saying anything: ${out}`)));
  });
  return { child, verdict };
}

describe('claimIteration within one process', () => {
  it('claims, refuses a second claim while held, and frees the iteration on release', async () => {
    const first = await claim(1);
    expect(first).not.toBeNull();
    expect(first!.iteration).toBe(1);
    const info = JSON.parse(await readFile(layout.claimInfo(1), 'utf8')) as ClaimInfo;
    expect(info).toMatchObject({ iteration: 1, owner: { host: os.hostname(), pid: process.pid }, runner: null });
    expect(Number.isNaN(Date.parse(info.claimedAt))).toBe(false);

    expect(await claimIteration(layout, 1, onCompromised)).toBeNull();
    // Another iteration is independent.
    expect(await claim(2)).not.toBeNull();

    await first!.release();
    expect(existsSync(layout.claimInfo(1))).toBe(false);
    expect(existsSync(layout.claimLock(1))).toBe(false);
    const again = await claim(1);
    expect(again).not.toBeNull();
  });

  it('release is idempotent and setRunner records the runner until released', async () => {
    const c = (await claim(4))!;
    await c.setRunner('container-abc');
    expect((JSON.parse(await readFile(layout.claimInfo(4), 'utf8')) as ClaimInfo).runner).toBe('container-abc');
    await c.release();
    await c.release();
    await c.setRunner('too-late');
    expect(existsSync(layout.claimInfo(4))).toBe(false);
  });

  it('readClaims lists the claims held, and [] without a claims folder', async () => {
    expect(await readClaims(layout)).toEqual([]);
    await claim(3);
    const c7 = await claim(7);
    await c7!.setRunner('r7');
    const listed = (await readClaims(layout)).sort((a, b) => a.iteration - b.iteration);
    expect(listed.map((c) => c.iteration)).toEqual([3, 7]);
    expect(listed[1]).toMatchObject({ runner: 'r7', owner: { pid: process.pid } });
    await c7!.release();
    expect((await readClaims(layout)).map((c) => c.iteration)).toEqual([3]);
  });
});

describe('claimIteration across processes', () => {
  it('refuses a claim a live process holds, and takes it over at once when that process is SIGKILLed', async () => {
    const { child, verdict } = await holderClaims(1);
    expect(verdict).toBe('claimed');
    const info = JSON.parse(await readFile(layout.claimInfo(1), 'utf8')) as ClaimInfo;
    expect(info.owner.pid).toBe(child.pid);
    expect(isOwnerAlive(info.owner)).toBe(true);
    expect((await readClaims(layout)).map((c) => c.owner.pid)).toEqual([child.pid]);

    expect(await claimIteration(layout, 1, onCompromised)).toBeNull();

    child.kill('SIGKILL');
    const exited = await child;
    expect(exited.signal).toBe('SIGKILL');
    expect(isOwnerAlive(info.owner)).toBe(false);

    // The dead owner's lock is still fresh (well within LOCK_STALE_MS): takeover must not wait for staleness.
    const started = Date.now();
    const taken = await claim(1);
    const took = Date.now() - started;
    expect(taken).not.toBeNull();
    expect(took).toBeLessThan(LOCK_STALE_MS / 3);
    const now = JSON.parse(await readFile(layout.claimInfo(1), 'utf8')) as ClaimInfo;
    expect(now.owner.pid).toBe(process.pid);
  });

  it('a second process is refused while this one holds the claim', async () => {
    expect(await claim(2)).not.toBeNull();
    const { child, verdict } = await holderClaims(2);
    expect(verdict).toBe('refused');
    expect((await child).exitCode).toBe(3);
  });
});

describe('claimIteration taking over from a dead owner, racing other takers', () => {
  // Several processes finding the same dead owner at once must not all take its claim: the takeover
  // (remove the dead lock, take it, write the claim file) runs under the sweep lock, so exactly one wins.
  it('exactly one of four processes racing for a dead owner\'s claim gets it, every time', async () => {
    for (let round = 1; round <= 4; round += 1) {
      const { child, verdict } = await holderClaims(round);
      expect(verdict).toBe('claimed');
      child.kill('SIGKILL');
      await child;
      const racers = await Promise.all([1, 2, 3, 4].map(() => holderClaims(round)));
      const verdicts = racers.map((r) => r.verdict).sort();
      expect({ round, verdicts }).toEqual({ round, verdicts: ['claimed', 'refused', 'refused', 'refused'] });
      for (const racer of racers) racer.child.kill('SIGKILL');
      await Promise.all(racers.map((r) => r.child));
    }
  }, 60_000);
});

describe('isOwnerAlive', () => {
  it('is true for this process', () => {
    expect(isOwnerAlive(currentProcess())).toBe(true);
    expect(currentProcess().startTime).toBe(processStartTime(process.pid));
  });

  it('is false for a process that has exited', async () => {
    const child = execa('node', ['-e', '']);
    const pid = child.pid;
    expect(typeof pid).toBe('number');
    expect((await child).exitCode).toBe(0);
    expect(isOwnerAlive({ host: os.hostname(), pid: pid!, startTime: null })).toBe(false);
  });

  it('is false when the pid is alive but was reused by another process (start time differs)', () => {
    const me = currentProcess();
    if (me.startTime === null) return expect(processStartTime(process.pid)).toBeNull(); // no /proc here
    expect(isOwnerAlive({ ...me, startTime: `${me.startTime}0` })).toBe(false);
  });

  it("is 'unknown' for a process on another host", () => {
    expect(isOwnerAlive({ host: `${os.hostname()}-elsewhere`, pid: process.pid, startTime: null })).toBe('unknown');
  });
});
