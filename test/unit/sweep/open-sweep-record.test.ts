import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { UsageError } from '../../../src/core/errors.js';
import { SweepLayout } from '../../../src/store/layout.js';
import { openSweepRecord } from '../../../src/sweep/open-sweep-record.js';
import { sweepDirOf } from '../../../src/sweep/sweep-config.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-record-'));
  await mkdir(path.join(root, 'suite'));
  await mkdir(path.join(root, 'suite-fixed'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const config = (suite: string) => resolveRunConfig({ executor: 'local', pytestNodeid: 't.py', logsDir: path.join(root, 'logs'), mount: [`${path.join(root, suite)}:/suite:ro`], workdir: '/suite', tag: 'x' }, {}, root);
const open = (suite: string) => {
  const c = config(suite);
  return openSweepRecord(new SweepLayout(sweepDirOf(c)), c, null, () => undefined);
};

describe('openSweepRecord: what a sweep measures includes the suite a bind mount brings in', () => {
  it('resuming with another mounted suite is refused, as another image would be', async () => {
    const { record } = await open('suite');
    expect(record.identity.mounts).toEqual([`${path.join(root, 'suite')}:/suite:ro`]);
    expect((await open('suite')).record.sweepId).toBe(record.sweepId);
    await expect(open('suite-fixed')).rejects.toThrow(UsageError);
    await expect(open('suite-fixed')).rejects.toThrow(/holds a sweep with other settings \(mounts was .*suite:\/suite:ro.*, now .*suite-fixed:\/suite:ro.*\)/);
  });

  it('a sweep recorded before mounts were part of it resumes as before', async () => {
    const { record } = await open('suite');
    const { mounts: _m, workdir: _w, ...older } = record.identity;
    const file = new SweepLayout(sweepDirOf(config('suite'))).sweepJson;
    await writeFile(file, JSON.stringify({ ...record, identity: older }));
    expect((await open('suite-fixed')).record.sweepId).toBe(record.sweepId);
    expect(JSON.parse(await readFile(file, 'utf8')).sweepId).toBe(record.sweepId);
  });
});
