import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { setAsidePreviousAttempt } from '../../../src/store/set-aside.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-aside-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file under root, as relative paths with their contents. */
async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(root, full)] = await readFile(full, 'utf8');
  }
  return out;
}

async function leaveAttempt(runDir: string, label: string): Promise<void> {
  await writeFile(path.join(runDir, 'run.log'), `log of ${label}\n`);
  await writeFile(path.join(runDir, 'result.json'), `{"label":"${label}"}\n`);
  await mkdir(path.join(runDir, 'artifacts', 'flakehunt'), { recursive: true });
  await writeFile(path.join(runDir, 'artifacts', 'flakehunt', 'events.jsonl'), `events of ${label}\n`);
}

describe('setAsidePreviousAttempt', () => {
  it('creates a missing run folder and calls the run attempt 1', async () => {
    const runDir = path.join(dir, 'run001');
    expect(await setAsidePreviousAttempt(runDir)).toBe(1);
    expect(await readdir(runDir)).toEqual([]);
  });

  it('leaves an empty run folder alone: attempt 1', async () => {
    const runDir = path.join(dir, 'run002');
    await mkdir(runDir);
    expect(await setAsidePreviousAttempt(runDir)).toBe(1);
    expect(await readdir(runDir)).toEqual([]);
  });

  it('moves leftovers into attempt-1, then attempt-2, deleting nothing', async () => {
    const runDir = path.join(dir, 'run003');
    await mkdir(runDir);
    await leaveAttempt(runDir, 'first');

    expect(await setAsidePreviousAttempt(runDir)).toBe(2);
    expect(await readdir(runDir)).toEqual(['attempt-1']);
    expect(await tree(runDir)).toEqual({
      'attempt-1/run.log': 'log of first\n',
      'attempt-1/result.json': '{"label":"first"}\n',
      'attempt-1/artifacts/flakehunt/events.jsonl': 'events of first\n',
    });

    await leaveAttempt(runDir, 'second');
    expect(await setAsidePreviousAttempt(runDir)).toBe(3);
    expect((await readdir(runDir)).sort()).toEqual(['attempt-1', 'attempt-2']);
    expect(await tree(runDir)).toEqual({
      'attempt-1/run.log': 'log of first\n',
      'attempt-1/result.json': '{"label":"first"}\n',
      'attempt-1/artifacts/flakehunt/events.jsonl': 'events of first\n',
      'attempt-2/run.log': 'log of second\n',
      'attempt-2/result.json': '{"label":"second"}\n',
      'attempt-2/artifacts/flakehunt/events.jsonl': 'events of second\n',
    });
  });

  it('with only earlier attempts and no leftovers, the run is the next attempt and nothing moves', async () => {
    const runDir = path.join(dir, 'run004');
    await mkdir(path.join(runDir, 'attempt-1'), { recursive: true });
    await writeFile(path.join(runDir, 'attempt-1', 'run.log'), 'old');
    expect(await setAsidePreviousAttempt(runDir)).toBe(2);
    expect(await tree(runDir)).toEqual({ 'attempt-1/run.log': 'old' });
  });

  it('numbers after the highest earlier attempt, not their count', async () => {
    const runDir = path.join(dir, 'run005');
    await mkdir(path.join(runDir, 'attempt-1'), { recursive: true });
    await mkdir(path.join(runDir, 'attempt-4'), { recursive: true });
    await writeFile(path.join(runDir, 'run.log'), 'latest');
    expect(await setAsidePreviousAttempt(runDir)).toBe(6);
    expect(await tree(runDir)).toEqual({ 'attempt-5/run.log': 'latest' });
  });
});

describe('setAsidePreviousAttempt with a gap in the attempt folders', () => {
  // Attempts are numbered after the highest attempt folder, not by counting them: with only attempt-2/
  // left (attempt-1 removed by hand) the new run is attempt 3.
  it('numbers the new run after the highest attempt folder even when nothing is left over', async () => {
    const runDir = path.join(dir, 'run006');
    await mkdir(path.join(runDir, 'attempt-2'), { recursive: true });
    expect(await setAsidePreviousAttempt(runDir)).toBe(3);
  });
});
