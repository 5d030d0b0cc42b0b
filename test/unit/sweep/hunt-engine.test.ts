import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import { huntExitCode, sweepExitCode } from '../../../src/cli/exit-codes.js';
import type { ConfigValues } from '../../../src/config/config-file.js';
import { huntConfigOf } from '../../../src/config/hunt-options.js';
import { replayConfigOf } from '../../../src/config/replay-config.js';
import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { ExitCode } from '../../../src/core/errors.js';
import { SweepEvents } from '../../../src/core/events.js';
import { hitsTarget, type HuntTarget } from '../../../src/core/hunt-target.js';
import type { IterationResult } from '../../../src/core/result.js';
import { summaryRenderer, sweepInfoOf } from '../../../src/report/sweep-summary.js';
import type { SweepRecord } from '../../../src/store/sweep-record.js';
import type { SweepConfig } from '../../../src/sweep/sweep-config.js';
import { SweepRunner } from '../../../src/sweep/sweep-runner.js';
import { FakeExecutor, type FakeScript } from '../../support/fake-executor.js';
import { instantClock } from '../../support/instant-clock.js';
import { failingRun, passingRun } from '../../support/pytest-console.js';

let logs: string;
beforeEach(async () => {
  logs = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-hunt-engine-'));
});
afterEach(async () => {
  await rm(logs, { recursive: true, force: true });
});

const base = (flags: ConfigValues) => resolveRunConfig({ executor: 'local', pytestNodeid: 't.py', logsDir: logs, seed: 'fixed', ...flags }, {}, logs);

async function sweep(config: SweepConfig, executor: FakeExecutor) {
  const taxonomy = await loadTaxonomy();
  const runner = new SweepRunner(config, { executor, taxonomy, events: new SweepEvents(), signal: new AbortController().signal, clock: instantClock(), summaryRenderer: (dir, record) => summaryRenderer(sweepInfoOf(dir, record), taxonomy) });
  const outcome = await runner.run();
  return { outcome, exitCode: sweepExitCode(outcome, config.schedule), layout: runner.layout };
}

/** Fails only when pytest's order is reversed: an order-dependent flake. */
const failsReversed: FakeScript = (_i, _s, spec) => (spec.env.FLAKEHUNT_ORDER === 'reverse' ? { output: failingRun(), exitCode: 1 } : { output: passingRun() });

describe('the hunt engine', () => {
  it('finds the cell that reproduces the target, stops at K reproductions, and records each iteration\'s cell', async () => {
    const target: HuntTarget = { kind: 'any' };
    const config = huntConfigOf(base({ matrix: ['order=none,shuffle,reverse'] }), { budget: '60', reproductions: '3' }, target);
    const executor = new FakeExecutor(failsReversed);
    const { outcome, exitCode } = await sweep(config, executor);
    const failed = outcome.results.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(3);
    expect(failed.every((r) => r.conditions!.cell === 'order=reverse')).toBe(true);
    expect(outcome.stop).toMatchObject({ kind: 'reproduced' });
    expect(outcome.results.length).toBeLessThan(30);
    expect(exitCode).toBe(ExitCode.failures);
    expect(path.basename(outcome.dir)).toBe('hunt');
  });

  it('a hunt that never reproduces the target spends its iteration budget and exits 0', async () => {
    const target: HuntTarget = { kind: 'class', id: 'A2' };
    const config = huntConfigOf(base({ matrix: ['order=none,reverse'] }), { budget: '8' }, target);
    const { outcome } = await sweep(config, new FakeExecutor(failsReversed));
    expect(outcome.results).toHaveLength(8);
    // It failed (A1 when reversed), but never with the target class: not reproduced, exit 0.
    expect(outcome.results.some((r) => r.status === 'failed')).toBe(true);
    expect(outcome.stop).toBeNull();
    expect(huntExitCode(outcome, outcome.results.some((r) => hitsTarget(r, target)))).toBe(ExitCode.ok);
    expect(huntExitCode(outcome, true)).toBe(ExitCode.failures);
    expect(huntExitCode({ ...outcome, stop: { kind: 'interrupted', reason: 'Ctrl-C' } }, true)).toBe(ExitCode.interrupted);
  });

  it('refuses what it cannot honour in one line: --perturb without --matrix, a budget that is neither a count nor a duration', () => {
    expect(() => huntConfigOf(base({ perturb: 'reverse' }), {}, { kind: 'any' })).toThrow(/^--perturb reverse: a hunt chooses among perturbations itself; to hunt among yours, give them as cells: --matrix conditions=none,reverse$/);
    expect(() => huntConfigOf(base({}), { budget: '2h30' }, { kind: 'any' })).toThrow(/^--budget "2h30" is neither a number of iterations nor a duration/);
    expect(huntConfigOf(base({ matrix: ['conditions=none,reverse'] }), { budget: '2' }, { kind: 'any' }).conditions.cells.map((c) => c.perturbationText)).toEqual(['none', 'reverse']);
  });

  it("with --command the default space leaves out test order, which only pytest's plugin can change", () => {
    const conditions = (flags: ConfigValues) => huntConfigOf(base({ executor: 'docker', image: 'img', ...flags }), { budget: '10' }, { kind: 'any' }, ['cpus', 'cpuHogs', 'stalls']).conditions.cells.map((c) => c.perturbationText);
    expect(conditions({})).toEqual(['none', 'cpu:0.5', 'cpu:0.2', 'hog:2', 'stall:100ms-300ms', 'cpu:0.2+shuffle', 'shuffle', 'reverse']);
    expect(conditions({ command: 'go test ./...', pytestNodeid: undefined })).toEqual(['none', 'cpu:0.5', 'cpu:0.2', 'hog:2', 'stall:100ms-300ms']);
  });

  it('a hunt of every process draws the same cells for the same results (seeded choice)', async () => {
    const config = huntConfigOf(base({ matrix: ['order=none,shuffle,reverse'] }), { budget: '10', reproductions: '100' }, { kind: 'any' });
    const first = await sweep(config, new FakeExecutor(failsReversed));
    const cells = first.outcome.results.map((r) => r.conditions!.cell);
    await rm(path.join(logs, 'hunt'), { recursive: true });
    const second = await sweep(config, new FakeExecutor(failsReversed));
    expect(second.outcome.results.map((r) => r.conditions!.cell)).toEqual(cells);
  });

  it('--budget with a duration stops handing out iterations when the time is spent', async () => {
    const config = huntConfigOf(base({ matrix: ['order=none,reverse'] }), { budget: '300ms', reproductions: '1000' }, { kind: 'any' });
    const executor = new FakeExecutor((i, s, spec) => ({ ...failsReversed(i, s, spec), gate: new Promise((resolve) => setTimeout(resolve, 20)) }));
    const { outcome } = await sweep(config, executor);
    expect(outcome.stop).toMatchObject({ kind: 'budget' });
    expect(outcome.results.length).toBeGreaterThan(2);
    expect(outcome.results.length).toBeLessThan(40);
  });

  it('replay runs every iteration under exactly the conditions of the one replayed', async () => {
    const first = await sweep(base({ perturb: 'shuffle', end: 3 }), new FakeExecutor(() => ({ output: passingRun() })));
    const original = first.outcome.results[1]!;
    const record = JSON.parse(await readFile(path.join(first.outcome.dir, 'sweep.json'), 'utf8')) as SweepRecord;
    const replay = replayConfigOf(first.layout.runDir(2), record, original, { env: {}, envPass: [], image: null, logsDir: logs, tag: null, iterations: 4, jobs: 2 });
    const seen: string[] = [];
    const executor = new FakeExecutor((_i, _s, spec) => {
      seen.push(`${spec.env.FLAKEHUNT_ORDER} ${spec.env.PYTHONHASHSEED}`);
      return { output: passingRun() };
    });
    const { outcome } = await sweep(replay, executor);
    expect(path.basename(outcome.dir)).toBe('replay_serial_run002');
    expect(outcome.results.map((r: IterationResult) => r.conditions)).toEqual(Array(4).fill(original.conditions));
    expect(new Set(seen)).toEqual(new Set([`shuffle:${(original.conditions!.realized.order as { seed: number }).seed} ${original.conditions!.hashSeed}`]));
  });

  it("a replay does not carry over what was applied to the run it replays: that count is each run's own", async () => {
    const first = await sweep(base({ executor: 'docker', image: 'img', perturb: 'stall:1ms@1ms', end: 1 }), new FakeExecutor(() => ({ output: passingRun(), applied: { stallWindows: 5 } })));
    const original = first.outcome.results[0]!;
    expect(original.conditions!.applied).toEqual({ stallWindows: 5 });
    const record = JSON.parse(await readFile(path.join(first.outcome.dir, 'sweep.json'), 'utf8')) as SweepRecord;
    const replay = replayConfigOf(first.layout.runDir(1), record, original, { env: {}, envPass: [], image: null, logsDir: logs, tag: null, iterations: 1, jobs: 1 });
    const { applied: _applied, ...recorded } = original.conditions!;
    expect(replay.conditions.replayOf!.conditions).toEqual(recorded);
  });
});
