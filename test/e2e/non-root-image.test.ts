import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { cli, containersUnder, E2E_SUITE, IMAGE, readJson, requireDocker, tempDir } from './helpers.js';

const hasDocker = await requireDocker();
const NOBODY_IMAGE = 'flakehunt-pytest:nobody';

// Root images get their artifacts folder as a volume read straight from the disk; an image that
// runs as another user gets it copied in and out as tar archives. Both must give the same files.
describe.runIf(hasDocker)('an image that runs as a non-root user', () => {
  let logs: string;
  beforeAll(async () => {
    logs = await tempDir();
    const { stdout: id } = await execa('docker', ['create', IMAGE]);
    try {
      await execa('docker', ['commit', '--change', 'USER 65534:65534', id.trim(), NOBODY_IMAGE]);
    } finally {
      await execa('docker', ['rm', '-f', id.trim()]);
    }
  }, 120_000);
  afterAll(async () => {
    await rm(logs, { recursive: true, force: true });
    await execa('docker', ['image', 'rm', '-f', NOBODY_IMAGE], { reject: false });
  });

  it('gets a writable artifacts folder and its files copied out, with classification intact', async () => {
    const run = await cli(['run', '-i', NOBODY_IMAGE, '--mount', `${E2E_SUITE}:/suite:ro`, '--workdir', '/suite', '--pytest-nodeid', 'test_known.py',
      '--pytest-args', '-p no:cacheprovider', '-s', '4', '-e', '5', '-t', 'nobody', '--logs-dir', logs, '--no-progress']);
    expect(run.exitCode).toBe(1);
    const sweep = path.join(logs, 'serial_nobody');
    for (const iteration of [4, 5]) {
      const reports = await readdir(path.join(sweep, `run00${iteration}`, 'artifacts', 'flakehunt'));
      expect(reports.some((name) => name.startsWith('reports-main-'))).toBe(true);
    }
    const failed = await readJson<IterationResult>(path.join(sweep, 'run005', 'result.json'));
    expect(failed.classes).toEqual(['A1']);
    expect(existsSync(path.join(sweep, 'run004', 'result.json'))).toBe(true);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);
});
