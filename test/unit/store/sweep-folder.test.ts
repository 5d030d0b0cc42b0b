import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UsageError } from '../../../src/core/errors.js';
import { SweepLayout } from '../../../src/store/layout.js';
import { requireSweepFolder } from '../../../src/store/sweep-folder.js';

describe('requireSweepFolder', () => {
  let root: string;
  beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'sweep-folder-')); });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  it('refuses a missing folder and a folder with neither sweep.json nor runNNN, saying which', async () => {
    expect(() => requireSweepFolder(new SweepLayout(path.join(root, 'missing')))).toThrow(/missing does not exist: give a sweep folder/);
    await mkdir(path.join(root, 'logs', 'notes'), { recursive: true });
    const error = (() => { try { requireSweepFolder(new SweepLayout(path.join(root, 'logs'))); } catch (e) { return e; } return null; })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/logs is not a sweep folder \(no sweep.json, no runNNN folders\)/);
  });

  it('accepts a flakehunt sweep (sweep.json) and a seed-script folder (runNNN only)', async () => {
    await mkdir(path.join(root, 'serial_a'));
    await writeFile(path.join(root, 'serial_a', 'sweep.json'), '{}');
    expect(() => requireSweepFolder(new SweepLayout(path.join(root, 'serial_a')))).not.toThrow();
    await mkdir(path.join(root, 'serial_b', 'run001'), { recursive: true });
    expect(() => requireSweepFolder(new SweepLayout(path.join(root, 'serial_b')))).not.toThrow();
  });
});
