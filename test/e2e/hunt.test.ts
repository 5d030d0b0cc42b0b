import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { BIN, cli, containersUnder, IMAGE, readJson, requireDocker, ROOT, tempDir, waitFor } from './helpers.js';

const FLAKY = path.join(ROOT, 'templates/demo-suite/flaky');
const hasDocker = await requireDocker();
const suite = (ids: string[]) => ['-i', IMAGE, '--mount', `${FLAKY}:/suite:ro`, '--workdir', '/suite', ...ids.flatMap((id) => ['--pytest-nodeid', id]), '--pytest-args', '-p no:cacheprovider', '--no-progress'];

async function results(sweep: string): Promise<IterationResult[]> {
  const runs = (await readdir(sweep)).filter((d) => /^run\d+$/.test(d)).sort();
  const all = await Promise.all(runs.map((d) => readJson<IterationResult>(path.join(sweep, d, 'result.json')).catch(() => null)));
  return all.filter((r): r is IterationResult => r !== null);
}

describe.skipIf(!hasDocker)('flakehunt hunt and replay', () => {
  let logs: string;
  beforeAll(async () => {
    logs = await tempDir('flakehunt-hunt-');
  });

  it('reproduces an order-dependent flake that plain reruns never show, names the conditions, and its replay fails the same way', async () => {
    const hunt = await cli(['hunt', ...suite(['test_a_reader.py', 'test_b_writer.py']), '--logs-dir', logs, '-t', 'order', '--budget', '40', '-j', '2', '--json']);
    expect(hunt.exitCode, hunt.stderr).toBe(1);
    const out = JSON.parse(hunt.stdout) as { dir: string; hunt: { reproductions: number[]; best: { perturbation: string; rate: { count: number } } }; next: { replay: string } };
    expect(out.hunt.reproductions.length).toBeGreaterThanOrEqual(3);
    expect(out.hunt.best.perturbation).toMatch(/reverse|shuffle/);
    const recorded = await results(out.dir);
    for (const n of out.hunt.reproductions) {
      expect(recorded.find((r) => r.iteration === n)!.conditions!.realized.order).toBeDefined();
    }
    // Plain order never fails: a run without perturbation is clean.
    const plain = await cli(['run', ...suite(['test_a_reader.py', 'test_b_writer.py']), '--logs-dir', logs, '-t', 'plain', '-e', '4', '-j', '2']);
    expect(plain.exitCode, plain.all).toBe(0);
    const last = out.hunt.reproductions.at(-1)!;
    const replay = await cli(['replay', path.join(out.dir, `run${String(last).padStart(3, '0')}`), '-n', '2', '--no-progress']);
    expect(replay.exitCode, replay.all).toBe(1);
    expect(replay.stdout).toMatch(/failed the way run\d+ did: 100\.0% \(2\/2\)/);
  }, 240_000);

  it('the text output ends with the best conditions and the commands to run next; the step summary has them too', async () => {
    const stepSummary = path.join(logs, 'step-summary.md');
    const hunt = await cli(['hunt', ...suite(['test_a_reader.py', 'test_b_writer.py']), '--logs-dir', logs, '-t', 'text', '--budget', '30', '-j', '2', '--matrix', 'order=none,reverse', '--reproductions', '2',
      // Thompson sampling may give every iteration to reverse; this seed's first draw picks none, so the reference row has a run.
      '--seed', 'hunt-text'], { env: { GITHUB_STEP_SUMMARY: stepSummary } });
    expect(hunt.exitCode).toBe(1);
    const summary = await readFile(stepSummary, 'utf8');
    expect(summary).toMatch(/\| `order=none` \| 0\/\d+ \| 0\.0% \|.*\| reference \|/);
    expect(summary).toMatch(/\| `order=reverse` \| \d+\/\d+ \|/);
    expect(summary).toMatch(/#### Hunt\n\n\*\*Reproduced [23] time\(s\)\*\* in \d+ iteration\(s\) \(target: `any failure`\)/);
    expect(summary).toMatch(/Best conditions: `order=reverse`/);
    expect(summary).toMatch(/```\nflakehunt replay .*hunt_text\/run\d+ -n 10\n```/);
    // A second job may already run a third reproduction when the second stops the hunt.
    expect(hunt.stdout).toMatch(/Hunt for any failure: reproduced [23] time\(s\)/);
    expect(hunt.stdout).toMatch(/Best: order=reverse — \d+\/\d+/);
    expect(hunt.stdout).toMatch(/Replay the last reproduction exactly: flakehunt replay .*hunt_text\/run\d+ -n 10/);
    expect(hunt.stdout).toMatch(/Rerun under the best conditions: flakehunt run -i flakehunt-pytest:bookworm .*--perturb reverse -e 20 -t hunt_text-best/);
  }, 240_000);

  it('a bad --target is one line naming what would do', async () => {
    const bad = await cli(['hunt', ...suite(['test_race.py']), '--logs-dir', logs, '--target', 'Z9']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--target "Z9" is none of: any, a class of dynamo-router \(A4, .*\), a signature \(hex\), a run folder, a console log file/);
  });

  it('a matrix sweep killed with SIGKILL resumes: every iteration once, in its cell, and the per-cell figures match the files', async () => {
    const args = ['run', ...suite(['test_a_reader.py', 'test_b_writer.py']), '--logs-dir', logs, '-t', 'killed', '--matrix', 'order=none,reverse,shuffle', '-e', '18', '-j', '2',
      // A drawn seed can shuffle the writer after the reader in all six shuffle runs (1 in 64): 6/12 against 0/6 is p = 0.054, not
      // 'depends on test order'. This seed's shuffles put the writer first in four of them.
      '--seed', 'hunt-killed'];
    const sweep = path.join(logs, 'matrix_killed');
    const first = execa('node', [BIN, ...args], { reject: false });
    await waitFor('three finished iterations', async () => (await results(sweep).catch(() => [])).length >= 3, 120_000);
    first.kill('SIGKILL');
    await first;
    const resumed = await cli([...args, '--json']);
    expect([0, 1]).toContain(resumed.exitCode);
    const all = await results(sweep);
    expect(all.map((r) => r.iteration)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    const cells = ['order=none', 'order=reverse', 'order=shuffle'];
    for (const r of all) expect(r.conditions!.cell).toBe(cells[(r.iteration - 1) % 3]);
    const summary = (JSON.parse(resumed.stdout) as { summary: { cells: { cells: Array<{ cell: string; failure: { count: number; total: number } }> } } }).summary;
    for (const cell of summary.cells.cells) {
      const mine = all.filter((r) => r.conditions!.cell === cell.cell);
      expect(cell.failure).toMatchObject({ total: mine.length, count: mine.filter((r) => r.status === 'failed').length });
    }
    expect(summary.cells.cells.find((c) => c.cell === 'order=reverse')!.failure.count).toBe(6);
    expect(await containersUnder(sweep)).toEqual([]);
    expect(await readFile(path.join(sweep, 'summary.txt'), 'utf8')).toMatch(/depends on test order/);
  }, 240_000);

  it('Ctrl-C during a hunt leaves no container, hog or frozen container behind', async () => {
    const sweep = path.join(logs, 'hunt_stop');
    const child = execa('node', [BIN, 'hunt', ...suite(['test_race.py']), '--logs-dir', logs, '-t', 'stop', '--matrix', 'load=hog:1+stall:1s@100ms', '--budget', '10'], { reject: false });
    await waitFor('a frozen container of the hunt', async () => {
      const { stdout } = await execa('docker', ['ps', '--filter', `label=dev.flakehunt.dir=${sweep}`, '--filter', 'status=paused', '-q']);
      return stdout.trim() !== '';
    }, 60_000);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);
});
