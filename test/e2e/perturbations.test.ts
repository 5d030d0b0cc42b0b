import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { cli, containersUnder, IMAGE, readJson, requireDocker, ROOT, tempDir, waitFor } from './helpers.js';

const PROBES = path.join(ROOT, 'test/fixtures/probes');
const hasDocker = await requireDocker();

/** Runs the probe suite under the given extra flags; returns the sweep folder. */
async function probeSweep(logs: string, extra: string[], env: Record<string, string> = {}) {
  // The probes read their settings inside the container: passed with --env, not to the CLI.
  const run = await cli(['run', '-i', IMAGE, '--mount', `${PROBES}:/suite:ro`, '--workdir', '/suite', '--pytest-nodeid', 'test_probe.py',
    '--pytest-args', '-p no:cacheprovider', '--logs-dir', logs, '--no-progress', ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), ...extra]);
  expect(run.exitCode, run.all).toBe(0);
  return run;
}

async function probe<T>(sweep: string, iteration: number, name: string): Promise<T> {
  return JSON.parse(await readFile(path.join(sweep, `run${String(iteration).padStart(3, '0')}`, 'artifacts', `probe-${name}.json`), 'utf8')) as T;
}

const result = (sweep: string, iteration: number) => readJson<IterationResult>(path.join(sweep, `run${String(iteration).padStart(3, '0')}`, 'result.json'));

interface Limits { cpus: number | null; memory: number | null; cpuset: string; hashseed: string | null; hash: number }
interface Timing { gaps_ms: number[]; cpu_share: number }

describe.skipIf(!hasDocker)('perturbations, seen from inside the container', () => {
  let logs: string;
  beforeAll(async () => {
    logs = await tempDir('flakehunt-perturb-');
  });

  it('a CPU quota drawn per iteration in the range: the container has the quota result.json records', async () => {
    await probeSweep(logs, ['--perturb', 'cpu:0.2-0.6', '-e', '3', '-t', 'quota', '--pytest-args', '-p no:cacheprovider -k limits']);
    const sweep = path.join(logs, 'serial_quota');
    const drawn: number[] = [];
    for (const i of [1, 2, 3]) {
      const seen = await probe<Limits>(sweep, i, 'limits');
      const recorded = (await result(sweep, i)).conditions!.realized.cpus!;
      expect(recorded).toBeGreaterThanOrEqual(0.2);
      expect(recorded).toBeLessThanOrEqual(0.6);
      expect(seen.cpus).toBeCloseTo(recorded, 5);
      drawn.push(recorded);
    }
    expect(new Set(drawn).size).toBeGreaterThan(1);
    const record = await readJson<{ identity: { perturbation: string }; seed: string }>(path.join(sweep, 'sweep.json'));
    expect(record.identity.perturbation).toBe('cpu:0.2-0.6');
    expect(record.seed).toMatch(/^[0-9a-f]{16}$/);
  }, 120_000);

  it('the same --seed draws the same conditions: quota, PYTHONHASHSEED and hash order', async () => {
    const conditions = [];
    for (const tag of ['seed-a', 'seed-b']) {
      await probeSweep(logs, ['--perturb', 'cpu:0.2-0.6', '--seed', 'fixed', '-e', '1', '-t', tag, '--pytest-args', '-p no:cacheprovider -k limits']);
      const sweep = path.join(logs, `serial_${tag}`);
      conditions.push({ recorded: (await result(sweep, 1)).conditions, seen: await probe<Limits>(sweep, 1, 'limits') });
    }
    expect(conditions[0]!.recorded).toEqual(conditions[1]!.recorded);
    expect(conditions[0]!.seen.hash).toBe(conditions[1]!.seen.hash);
    expect(conditions[0]!.seen.hashseed).toBe(String(conditions[0]!.recorded!.hashSeed));
  }, 120_000);

  it('a memory limit', async () => {
    await probeSweep(logs, ['--perturb', 'mem:96m', '-e', '1', '-t', 'mem', '--pytest-args', '-p no:cacheprovider -k limits']);
    expect((await probe<Limits>(path.join(logs, 'serial_mem'), 1, 'limits')).memory).toBe(96 * 1024 * 1024);
  }, 120_000);

  it('CPU hogs pinned to the container\'s CPU take most of it, and are gone afterwards', async () => {
    await probeSweep(logs, ['--perturb', 'hog:2', '-e', '1', '-t', 'hog', '--pytest-args', '-p no:cacheprovider -k time']);
    const sweep = path.join(logs, 'serial_hog');
    const recorded = (await result(sweep, 1)).conditions!.realized;
    expect((await probe<Limits>(sweep, 1, 'limits').catch(() => null))).toBeNull();
    const timing = await probe<Timing>(sweep, 1, 'time');
    // Three busy processes on one CPU: about a third each.
    expect(timing.cpu_share).toBeLessThan(0.6);
    expect(recorded.cpuset).toMatch(/^\d+$/);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);

  it('stalls freeze the container: the clock inside jumps by the window length', async () => {
    // Windows of 200 ms every 300 ms on average (exponential gaps): 5 s hold fewer than 2 in under 1 of 10,000 schedules (simulated).
    await probeSweep(logs, ['--perturb', 'stall:200ms@300ms', '-e', '1', '-t', 'stall', '--pytest-args', '-p no:cacheprovider -k time'], { PROBE_SECONDS: '5' });
    const timing = await probe<Timing>(path.join(logs, 'serial_stall'), 1, 'time');
    const windows = timing.gaps_ms.filter((gap) => gap >= 170);
    expect(windows.length, JSON.stringify(timing)).toBeGreaterThanOrEqual(2);
    // The executor's count covers the whole run, the probe only its 5 s of it.
    expect((await result(path.join(logs, 'serial_stall'), 1)).conditions!.applied!.stallWindows).toBeGreaterThanOrEqual(windows.length);
  }, 120_000);

  it('test order: reversed, and shuffled exactly as the recorded seed says', async () => {
    const order = async (sweep: string, i: number) => {
      const stamps = await Promise.all(['a', 'b', 'c'].map(async (t) => [t, await probe<number>(sweep, i, `order-${t}`)] as const));
      return stamps.sort((x, y) => x[1] - y[1]).map(([t]) => t).join('');
    };
    await probeSweep(logs, ['--perturb', 'reverse', '-e', '1', '-t', 'reverse', '--pytest-args', '-p no:cacheprovider -k "test_a or test_b or test_c"']);
    expect(await order(path.join(logs, 'serial_reverse'), 1)).toBe('cba');
    await probeSweep(logs, ['--perturb', 'shuffle', '-e', '6', '-t', 'shuffle', '--pytest-args', '-p no:cacheprovider -k "test_a or test_b or test_c"']);
    const sweep = path.join(logs, 'serial_shuffle');
    const seen = new Set<string>();
    for (let i = 1; i <= 6; i += 1) {
      const realized = (await result(sweep, i)).conditions!.realized.order as { mode: 'shuffle'; seed: number };
      // The same shuffle as the plugin's, worked out by this machine's Python.
      const expected = execFileSync('python3', ['-c', `import random; x=list('abc'); random.Random(${realized.seed}).shuffle(x); print(''.join(x))`], { encoding: 'utf8' }).trim();
      const actual = await order(sweep, i);
      expect(actual).toBe(expected);
      seen.add(actual);
    }
    expect(seen.size).toBeGreaterThan(1);
  }, 180_000);

  it('network delay: a client with a 50 ms timeout on localhost times out under delay:60ms, and not without', async () => {
    const flaky = path.join(ROOT, 'templates/demo-suite/flaky');
    const args = (tag: string, perturb: string, iterations = 1) => ['run', '-i', IMAGE, '--mount', `${flaky}:/suite:ro`, '--workdir', '/suite', '--pytest-nodeid', 'test_socket_timeout.py',
      '--pytest-args', '-p no:cacheprovider', '--logs-dir', logs, '--no-progress', '-e', String(iterations), '-t', tag, '--perturb', perturb];
    const delayed = await cli(args('delayed', 'delay:60ms'));
    expect(delayed.exitCode, delayed.all).toBe(1);
    expect(await readFile(path.join(logs, 'serial_delayed', 'run001', 'run.log'), 'utf8')).toMatch(/timed out/);
    expect((await result(path.join(logs, 'serial_delayed'), 1)).conditions!.realized.net).toMatchObject({ delayMs: 60, jitterMs: 0, lossPercent: 0 });
    // Without delay it passes; a noisy machine can starve the server thread for 50 ms once in a while (the flake the
    // demo is about), so two passes of three say so without betting on a quiet machine.
    const plain = await cli(args('undelayed', 'none', 3));
    const statuses = await Promise.all([1, 2, 3].map(async (i) => (await result(path.join(logs, 'serial_undelayed'), i)).status));
    expect(statuses.filter((st) => st === 'passed').length, plain.all).toBeGreaterThanOrEqual(2);
    expect(await containersUnder(logs)).toEqual([]);
  }, 120_000);

  it('disk writers run beside the iteration and are gone with it', async () => {
    const sweep = path.join(logs, 'serial_io');
    const child = execa('node', [path.join(ROOT, 'bin/flakehunt.js'), 'run', '-i', IMAGE, '--mount', `${PROBES}:/suite:ro`, '--workdir', '/suite',
      '--pytest-nodeid', 'test_probe.py', '--pytest-args', '-p no:cacheprovider -k time', '--perturb', 'io:2', '-e', '1', '-t', 'io',
      '--env', 'PROBE_SECONDS=4', '--logs-dir', logs, '--no-progress'], { reject: false });
    await waitFor('two disk writers', async () => {
      const { stdout } = await execa('docker', ['ps', '--filter', `label=dev.flakehunt.dir=${sweep}`, '--filter', 'label=dev.flakehunt.role=io-hog', '-q']);
      return stdout.trim().split('\n').filter(Boolean).length === 2;
    }, 60_000);
    expect((await child).exitCode).toBe(0);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);

  it('--matrix runs the cells in turn and tags each result with its cell', async () => {
    await probeSweep(logs, ['--matrix', 'noise=none,cpu:0.5', '--matrix', 'parallelism=serial,2', '-e', '4', '-t', 'cells', '--pytest-args', '-p no:cacheprovider -k limits']);
    const sweep = path.join(logs, 'matrix_cells');
    const cells = await Promise.all([1, 2, 3, 4].map(async (i) => (await result(sweep, i)).conditions!.cell));
    expect(cells).toEqual(['noise=none parallelism=serial', 'noise=none parallelism=2', 'noise=cpu:0.5 parallelism=serial', 'noise=cpu:0.5 parallelism=2']);
    expect((await probe<Limits>(sweep, 3, 'limits')).cpus).toBeCloseTo(0.5, 5);
    expect(await readFile(path.join(sweep, 'run002', 'run.log'), 'utf8')).toMatch(/\[gw[01]\]/);
  }, 180_000);

  it('Ctrl-C while the container is frozen and its hogs run: nothing is left, nothing stays frozen', async () => {
    const sweepDir = path.join(logs, 'serial_interrupt');
    const child = execa('node', [path.join(ROOT, 'bin/flakehunt.js'), 'run', '-i', IMAGE, '--mount', `${PROBES}:/suite:ro`, '--workdir', '/suite',
      '--pytest-nodeid', 'test_probe.py', '--pytest-args', '-p no:cacheprovider -k time', '--perturb', 'hog:1+stall:1s@50ms', '-e', '3', '-t', 'interrupt',
      '--env', 'PROBE_SECONDS=30', '--logs-dir', logs, '--no-progress'], { reject: false });
    await waitFor('a frozen container', async () => {
      const { stdout } = await execa('docker', ['ps', '--filter', `label=dev.flakehunt.dir=${sweepDir}`, '--filter', 'status=paused', '-q']);
      return stdout.trim() !== '';
    }, 60_000);
    child.kill('SIGINT');
    const done = await child;
    expect(done.exitCode).toBe(130);
    expect(await containersUnder(sweepDir)).toEqual([]);
  }, 120_000);
});
