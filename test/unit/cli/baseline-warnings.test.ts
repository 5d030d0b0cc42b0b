import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { baselineWarnings } from '../../../src/cli/baseline-warnings.js';
import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { identityOf } from '../../../src/sweep/sweep-config.js';

let logs: string;
beforeAll(async () => { logs = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-baseline-')); });
afterAll(async () => { await rm(logs, { recursive: true, force: true }); });

const plain = (extra: Record<string, unknown>) => resolveRunConfig({ executor: 'local', pytestNodeid: 't.py', logsDir: logs, ...extra }, {}, logs);
const config = (extra: Record<string, unknown>) => plain({ untilDecided: true, ...extra });

async function baselineLike(name: string, extra: Record<string, unknown>): Promise<string> {
  const dir = path.join(logs, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'sweep.json'), JSON.stringify({ version: 1, sweepId: `${name}-1`, name, createdAt: '', identity: identityOf(plain(extra)), imageId: null, settings: {}, taxonomy: '' }));
  return dir;
}

describe('run --until-decided --baseline: a baseline of other conditions is warned about', () => {
  it('one run under another perturbation or other tests: warned, as compare would', async () => {
    const shuffled = await baselineLike('serial_before', { perturb: 'shuffle' });
    const warnings = await baselineWarnings(config({ baseline: shuffled, tag: 'after' }));
    expect(warnings).toEqual([`--baseline ${shuffled}: different perturbation (a: shuffle; b: (none)): the rates may differ because of it, not of the change under test`]);
    const other = await baselineLike('serial_other', { pytestNodeid: 'u.py' });
    expect((await baselineWarnings(config({ baseline: other, tag: 'after2' })))[0]).toMatch(/they ran different tests \(a: u\.py; b: t\.py\)/);
  });

  it('one of the same conditions, or counts, carry no warning', async () => {
    const same = await baselineLike('serial_same', {});
    expect(await baselineWarnings(config({ baseline: same, tag: 'after3' }))).toEqual([]);
    expect(await baselineWarnings(config({ baseline: '13/50' }))).toEqual([]);
  });
});
