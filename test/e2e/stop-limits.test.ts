import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { cli, tempDir } from './helpers.js';

// A passing iteration hands its slot to the next one before its result is recorded. These check
// that an iteration whose result may stop the sweep does not: nothing after it starts.

/** A command (local executor) that fails in the listed iterations and passes in the others. */
function failIn(iterations: number[]): string {
  return `python3 -c "import os,sys; sys.exit(1 if int(os.environ['FLAKEHUNT_ITERATION']) in (${iterations.join(',')},) else 0)"`;
}

async function jsonl(sweep: string): Promise<IterationResult[]> {
  return (await readFile(path.join(sweep, 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as IterationResult);
}

describe('stop limits with one job: the next iteration waits for a failing one to be recorded', () => {
  let logs: string;
  beforeAll(async () => { logs = await tempDir(); });
  afterAll(async () => { await rm(logs, { recursive: true, force: true }); });

  const run = (tag: string, command: string, extra: string[]) =>
    cli(['run', '--executor', 'local', '--command', command, '-s', '1', '-e', '8', '-j', '1', '--logs-dir', logs, '-t', tag, '--no-progress', ...extra]);

  it('--until-fail: the iteration after the first failure never starts', async () => {
    const done = await run('untilfail', failIn([3]), ['--until-fail']);
    expect(done.exitCode).toBe(1);
    expect(done.all).toMatch(/reached --until-fail/);
    const sweep = path.join(logs, 'serial_untilfail');
    expect((await jsonl(sweep)).map((r) => [r.iteration, r.status])).toEqual([[1, 'passed'], [2, 'passed'], [3, 'failed']]);
    expect(existsSync(path.join(sweep, 'run004'))).toBe(false);
  });

  it('--max-failures 2: one failure hands over as usual, the second stops the sweep', async () => {
    const done = await run('maxfail', failIn([2, 5]), ['--max-failures', '2']);
    expect(done.exitCode).toBe(1);
    expect(done.all).toMatch(/reached --max-failures 2/);
    const sweep = path.join(logs, 'serial_maxfail');
    expect((await jsonl(sweep)).map((r) => r.status)).toEqual(['passed', 'failed', 'passed', 'passed', 'failed']);
    expect(existsSync(path.join(sweep, 'run006'))).toBe(false);
  });

  it('without a limit every iteration runs and is recorded, in order, before the command ends', async () => {
    const done = await run('nolimit', failIn([2, 5]), []);
    expect(done.exitCode).toBe(1);
    const sweep = path.join(logs, 'serial_nolimit');
    const results = await jsonl(sweep);
    expect(results.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results.filter((r) => r.status === 'failed').map((r) => r.iteration)).toEqual([2, 5]);
    expect(await readFile(path.join(sweep, 'summary.txt'), 'utf8')).toContain('6 passed, 2 failed');
    expect(existsSync(path.join(sweep, '.claims', 'run008.json'))).toBe(false);
  });
});
