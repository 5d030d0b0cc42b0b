import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { readSweepStatus } from '../../../src/report/sweep-status.js';
import { renderStatusText } from '../../../src/report/status-text.js';
import type { ClaimInfo } from '../../../src/store/claims.js';
import { SweepLayout } from '../../../src/store/layout.js';
import { currentProcess } from '../../../src/store/process-identity.js';

// Each test gets a sweep folder of its own, as a run leaves it: sweep.json, and the claims and processes folders.
let dir: string;
let layout: SweepLayout;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-status-'));
  layout = new SweepLayout(path.join(dir, 'serial'));
  await mkdir(layout.claimsDir, { recursive: true });
  await mkdir(layout.processesDir, { recursive: true });
  await writeFile(layout.sweepJson, '{}');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readSweepStatus: running and up next', () => {

  async function claim(info: Omit<ClaimInfo, 'owner'>): Promise<void> {
    await writeFile(layout.claimInfo(info.iteration), JSON.stringify({ ...info, owner: currentProcess() }));
  }

  it('counts a claim as running once it has a runner, timed from its start, and lists the others as up next', async () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    // Claimed ten minutes ago while run001 ran, started five seconds ago.
    await claim({ iteration: 2, claimedAt: '2026-11-24T09:50:00Z', runner: 'abcdef123456', startedAt: '2026-11-24T09:59:55Z' });
    await claim({ iteration: 3, claimedAt: '2026-11-24T09:59:56Z', runner: null });
    const status = await readSweepStatus(layout.dir, now);
    expect(status.running.map((r) => [r.iteration, r.sinceMs])).toEqual([[2, 5_000]]);
    expect(status.upNext.map((r) => r.iteration)).toEqual([3]);
    const text = renderStatusText(status);
    expect(text).toMatch(/Running 1\b/);
    expect(text).toMatch(/run002 .* abcdef123456 {2}for 5(\.0)?s/);
    expect(text).toMatch(/^Up next 1 .*: run003$/m);
  });

  it('times a claim written before runners had a start time from when it was claimed', async () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    await claim({ iteration: 1, claimedAt: '2026-11-24T09:59:30Z', runner: 'abcdef123456' });
    expect((await readSweepStatus(layout.dir, now)).running.map((r) => r.sinceMs)).toEqual([30_000]);
  });
});

describe('readSweepStatus: what it counts, and when it gives no time left', () => {

  async function result(iteration: number, status: string): Promise<void> {
    await mkdir(layout.runDir(iteration), { recursive: true });
    await writeFile(layout.resultJson(iteration), JSON.stringify({ iteration, status, classes: status === 'failed' ? ['A1'] : [], failures: [], durationMs: 1000 }));
  }

  it('finished counts the verdicts; errors and interrupted ones are said apart; a sweep whose processes are all gone has no ETA', async () => {
    await result(1, 'passed');
    await result(2, 'failed');
    await result(3, 'interrupted');
    // A process of this host that is gone (pid 2^22 + 1 is above Linux's pid_max).
    const gone = { ...currentProcess(), pid: 4_194_305 };
    await writeFile(path.join(layout.processesDir, 'gone.json'), JSON.stringify({ owner: gone, start: 1, end: 8, jobs: 1, startedAt: '2026-11-24T09:00:00Z' }));
    const status = await readSweepStatus(layout.dir);
    expect(status).toMatchObject({ finished: 2, passed: 1, failed: 1, interrupted: 1, left: 6, etaMs: null });
    const text = renderStatusText(status);
    expect(text).toContain('Finished 2: 1 passed, 1 failed; not counted: 1 interrupted — A1 1');
    expect(text).toMatch(/^Running 0 · left 6$/m);
  });
});
