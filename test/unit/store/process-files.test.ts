import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SweepLayout } from '../../../src/store/layout.js';
import { announceProcess, readProcessFiles } from '../../../src/store/process-files.js';
import { currentProcess } from '../../../src/store/process-identity.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-processes-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

describe('announceProcess', () => {
  it('drops the records of this host\'s processes that are gone (killed), keeps others, and withdraws its own', async () => {
    const layout = new SweepLayout(path.join(dir, 'serial'));
    await mkdir(layout.processesDir, { recursive: true });
    const gone = { ...currentProcess(), pid: 4_194_305 };
    const elsewhere = { ...currentProcess(), host: 'another-host', pid: 7 };
    for (const owner of [gone, elsewhere]) await writeFile(path.join(layout.processesDir, `${owner.host}-${owner.pid}.json`), JSON.stringify({ owner, start: 1, end: 5, jobs: 1, startedAt: '2026-12-01T00:00:00Z' }));
    const me = { owner: currentProcess(), start: 1, end: 5, jobs: 1, startedAt: new Date().toISOString() };
    const withdraw = await announceProcess(layout, me);
    expect((await readProcessFiles(layout)).map((p) => `${p.owner.host}:${p.owner.pid}`).sort()).toEqual([`${os.hostname()}:${process.pid}`, 'another-host:7'].sort());
    await withdraw();
    expect((await readProcessFiles(layout)).map((p) => p.owner.host)).toEqual(['another-host']);
  });
});
