import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { runName } from '../../src/store/layout.js';
import { BIN, cli, containersUnder, E2E_SUITE, expectedClasses, fileContains, IMAGE, readJson, requireDocker, ROOT, suiteArgs, tempDir, waitFor } from './helpers.js';

const hasDocker = await requireDocker();

function spawnCli(args: string[], env: Record<string, string> = {}) {
  return execa('node', [BIN, ...args], { reject: false, all: true, env: { ...env, NO_COLOR: '1' }, cwd: ROOT, stdin: 'ignore' });
}

async function resultLines(sweep: string): Promise<string[]> {
  return (await readFile(path.join(sweep, 'results.txt'), 'utf8')).split('\n').filter((line) => line.startsWith('run'));
}

/** Every iteration has exactly one result, and the sweep files agree with the results. */
async function expectEachRunOnce(sweep: string, count: number): Promise<IterationResult[]> {
  const runs = (await readdir(sweep)).filter((n) => /^run\d{3}$/.test(n)).sort();
  expect(runs).toHaveLength(count);
  const lines = await resultLines(sweep);
  expect(lines).toHaveLength(count);
  expect(new Set(lines.map((l) => l.slice(0, 6))).size).toBe(count);
  for (const line of lines) expect(line).toMatch(/^run\d{3}\s+(PASSED|FAILED)\s+\S+\s+\d+\.\d+s$/);
  const jsonl = (await readFile(path.join(sweep, 'results.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as IterationResult);
  expect(jsonl.map((r) => r.iteration)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  const summary = await readFile(path.join(sweep, 'summary.txt'), 'utf8');
  const failed = jsonl.filter((r) => r.status === 'failed').length;
  expect(summary).toContain(`${count - failed} passed, ${failed} failed`);
  return jsonl;
}

describe.runIf(hasDocker)('many processes on one sweep folder', () => {
  let logs: string;
  beforeAll(async () => { logs = await tempDir(); });
  afterAll(async () => { await rm(logs, { recursive: true, force: true }); });

  it('three processes with ranges 1–30, 11–40, 21–50 run each of the 50 iterations exactly once', async () => {
    const sweep = path.join(logs, 'serial_shared');
    const ranges = [['1', '30'], ['11', '40'], ['21', '50']];
    const runs = await Promise.all(ranges.map(([s, e]) => spawnCli(suiteArgs(logs, ['-s', s!, '-e', e!, '-t', 'shared']))));
    for (const run of runs) expect(run.exitCode).toBe(1);
    const results = await expectEachRunOnce(sweep, 50);
    for (const r of results) expect({ i: r.iteration, classes: r.classes }).toEqual({ i: r.iteration, classes: expectedClasses(r.iteration) });
    // The work really was shared: more than one process ran iterations.
    expect(new Set(results.map((r) => r.pid)).size).toBeGreaterThan(1);
    expect(results.every((r) => r.attempt === 1)).toBe(true);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 300_000);

  it('a process SIGKILLed half-way has its claim taken over by the others; every iteration still runs exactly once', async () => {
    const sweep = path.join(logs, 'serial_takeover');
    const victim = spawnCli(suiteArgs(logs, ['-s', '1', '-e', '12', '-t', 'takeover']), { FH_BLOCK_AT: '3' });
    await waitFor('iteration 3 to block', () => fileContains(path.join(sweep, 'run003', 'run.log'), 'GATE: blocking'));
    const other = spawnCli(suiteArgs(logs, ['-s', '1', '-e', '12', '-t', 'takeover']));
    // The other process runs the rest, and waits for run003, which a live process holds.
    await waitFor('the other process to finish the rest', () => existsSync(path.join(sweep, 'run012', 'result.json')), 120_000);
    victim.kill('SIGKILL');
    await victim;
    const done = await other;
    expect(done.all).toMatch(/took over run003 from a process that died; removed its container/);
    expect(done.exitCode).toBe(1);
    const results = await expectEachRunOnce(sweep, 12);
    const run3 = results.find((r) => r.iteration === 3)!;
    expect(run3.status).toBe('passed');
    expect(run3.attempt).toBe(2);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 300_000);

  it('--until-fail in one process stops every process of the sweep', async () => {
    const sweep = path.join(logs, 'serial_untilfail');
    const nodeArgs = (s: string, e: string) => ['run', '-i', IMAGE, '--mount', `${E2E_SUITE}:/suite:ro`, '--workdir', '/suite',
      '--pytest-nodeid', 'test_known.py::test_fail_at', '--pytest-args', '-p no:cacheprovider', '--logs-dir', logs, '--no-progress',
      '-t', 'untilfail', '-s', s, '-e', e, '--until-fail', '--env-pass', 'FH_FAIL_AT'];
    const steady = spawnCli(nodeArgs('11', '60'));
    await waitFor('the steady process to finish an iteration', () => existsSync(path.join(sweep, 'run011', 'result.json')));
    const failing = await cli(nodeArgs('1', '10'), { env: { FH_FAIL_AT: '3' } });
    expect(failing.exitCode).toBe(1);
    expect(failing.all).toMatch(/stopping: 1 failing iteration\(s\) \(run003\) reached --until-fail/);
    const stopped = await steady;
    // It sees the other process's failure (through stop.json, or the shared results) and stops too.
    expect(stopped.all).toMatch(/stopping: .*\(run003\) reached --until-fail/);
    expect(stopped.exitCode).toBe(1);
    const finished = (await readdir(sweep)).filter((n) => /^run\d{3}$/.test(n) && existsSync(path.join(sweep, n, 'result.json')));
    expect(finished.length).toBeLessThan(30);
    expect(JSON.parse(await readFile(path.join(sweep, 'stop.json'), 'utf8'))).toMatchObject({ reason: expect.stringContaining('run003') });
  }, 300_000);

  it('--chunk-size hands out chunks of consecutive iterations, each run in order by one worker', async () => {
    const sweep = path.join(logs, 'serial_chunks');
    const run = await cli(suiteArgs(logs, ['-s', '1', '-e', '9', '-t', 'chunks', '--chunk-size', '3', '--chunk-parallel', '2']));
    expect(run.exitCode).toBe(1);
    const results = await expectEachRunOnce(sweep, 9);
    for (const chunk of [[1, 2, 3], [4, 5, 6], [7, 8, 9]]) {
      for (let k = 1; k < chunk.length; k += 1) {
        const previous = results[chunk[k - 1]! - 1]!;
        const next = results[chunk[k]! - 1]!;
        expect(Date.parse(next.startedAt)).toBeGreaterThanOrEqual(Date.parse(previous.finishedAt) - 5);
      }
    }
    // Two chunks at once: the first two chunks overlapped in time.
    expect(Date.parse(results[3]!.startedAt)).toBeLessThan(Date.parse(results[2]!.finishedAt));
  }, 180_000);

  it('--jobs 2: an iteration prepared ahead by a worker stuck on a long one runs on the other worker', async () => {
    const sweep = path.join(logs, 'serial_spare');
    const run = spawnCli(suiteArgs(logs, ['-s', '1', '-e', '4', '-t', 'spare', '-j', '2']), { FH_BLOCK_AT: '1' });
    await waitFor('iteration 1 to block', () => fileContains(path.join(sweep, 'run001', 'run.log'), 'GATE: blocking'));
    // The worker on run001 claimed the next iteration and created its container; the other worker
    // runs it rather than leaving it to wait behind run001.
    await waitFor('iterations 2, 3 and 4 to finish while run001 blocks', () => [2, 3, 4].every((n) => existsSync(path.join(sweep, runName(n), 'result.json'))));
    expect(existsSync(path.join(sweep, 'run001', 'result.json'))).toBe(false);
    run.kill('SIGINT');
    expect((await run).exitCode).toBe(130);
    expect((await readJson<IterationResult>(path.join(sweep, 'run001', 'result.json'))).status).toBe('interrupted');
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);

  it('status shows, from the files alone, what each process is running', async () => {
    const sweep = path.join(logs, 'serial_status');
    const run = spawnCli(suiteArgs(logs, ['-s', '1', '-e', '4', '-t', 'status']), { FH_BLOCK_AT: '2' });
    await waitFor('iteration 2 to block', () => fileContains(path.join(sweep, 'run002', 'run.log'), 'GATE: blocking'));
    const status = await cli(['status', sweep]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/Finished 1: 1 passed, 0 failed/);
    expect(status.stdout).toMatch(new RegExp(`run002\\s+\\S+:${run.pid}\\s+[0-9a-f]{12}\\s+for `));
    expect(status.stdout).toMatch(/Running 1 · left 2/);
    // run003's container is created while run002 runs: claimed and shown as up next, not as running.
    await waitFor('run003 to be claimed ahead', async () => /Up next 1 .*: run003$/m.test((await cli(['status', sweep])).stdout));
    expect(status.stdout).toMatch(new RegExp(`:${run.pid}\\s+iterations 1–4, 1 at a time, since .* running`));
    const json = JSON.parse((await cli(['status', sweep, '--json'])).stdout) as { running: Array<{ iteration: number }> };
    expect(json.running.map((r) => r.iteration)).toEqual([2]);
    run.kill('SIGINT');
    expect((await run).exitCode).toBe(130);
  }, 120_000);
});
