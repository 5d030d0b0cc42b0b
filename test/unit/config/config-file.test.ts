import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfigFile } from '../../../src/config/config-file.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-config-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function load(values: unknown) {
  const file = path.join(dir, 'c.json');
  await writeFile(file, JSON.stringify(values));
  return loadConfigFile(file);
}

describe('a config file', () => {
  it('takes each option in the JSON type its flag implies', async () => {
    const config = { untilFail: true, init: false, env: { A: '1', B: 2 }, mount: ['./t:/suite:ro'], pytestArgs: ['-x', '--timeout', 90], seed: 'abc', jobs: 2, end: '50' };
    expect((await load(config)).values).toEqual(config);
  });

  it.each([
    [{ untilFail: 'yes' }, '"untilFail" must be true or false, got "yes"'],
    [{ init: 'false' }, '"init" must be true or false'],
    [{ env: { FOO: { a: 1 } } }, '"env" must be an object of variables'],
    [{ seed: { a: 1 } }, '"seed" must be a string, a number or a list of words'],
    [{ mount: [1, { x: 1 }] }, '"mount" must be a string or a list of strings'],
    [{ jobs: true }, '"jobs" must be a string, a number or a list of words'],
  ])('refuses a value of the wrong type, naming the key: %j', async (values, reason) => {
    await expect(load(values)).rejects.toThrow(new RegExp(`^config file .*c\\.json: ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});
