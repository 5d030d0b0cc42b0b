import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import { sweepExitCode } from '../../../src/cli/exit-codes.js';
import type { ConfigValues } from '../../../src/config/config-file.js';
import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { ExitCode, UsageError } from '../../../src/core/errors.js';
import { SweepEvents } from '../../../src/core/events.js';
import { summaryRenderer, sweepInfoOf } from '../../../src/report/sweep-summary.js';
import { SweepRunner } from '../../../src/sweep/sweep-runner.js';
import { FakeExecutor, type FakeScript } from '../../support/fake-executor.js';
import { instantClock } from '../../support/instant-clock.js';
import { failingRun, passingRun } from '../../support/pytest-console.js';

let logs: string;
beforeEach(async () => {
  logs = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-decided-'));
});
afterEach(async () => {
  await rm(logs, { recursive: true, force: true });
});

async function sweep(flags: ConfigValues, script: FakeScript) {
  const config = resolveRunConfig({ executor: 'local', pytestNodeid: 't.py', logsDir: logs, ...flags }, {}, logs);
  const taxonomy = await loadTaxonomy();
  const runner = new SweepRunner(config, { executor: new FakeExecutor(script), taxonomy, events: new SweepEvents(), signal: new AbortController().signal, clock: instantClock(), summaryRenderer: (dir, record) => summaryRenderer(sweepInfoOf(dir, record), taxonomy) });
  const outcome = await runner.run();
  return { outcome, exitCode: sweepExitCode(outcome, config.schedule), summary: await readFile(path.join(outcome.dir, 'summary.txt'), 'utf8') };
}

const failEvery = (n: number): FakeScript => (i) => (i % n === 0 ? { output: failingRun(), exitCode: 1 } : { output: passingRun() });

describe('run --until-decided', () => {
  it('--target-rate 3%: a suite failing a quarter of its iterations is "not fixed" within a dozen, exit 1', async () => {
    const { outcome, exitCode, summary } = await sweep({ end: 500, untilDecided: true, targetRate: '3%' }, failEvery(4));
    expect(outcome.stop).toMatchObject({ kind: 'decided', good: false });
    expect(outcome.results.length).toBeLessThanOrEqual(12);
    expect(outcome.stop!.reason).toMatch(/^decided after 4 iteration\(s\) \(1 failed\): not shown below 3%: not fixed$/);
    expect(exitCode).toBe(ExitCode.failures);
    expect(summary).toMatch(/Decision \(truncated SPRT, α 5\.0%, power 80\.0% at 0\.30%\): not shown below 3%: not fixed, after 4 iteration\(s\) \(1 failed\); a fixed plan needs 99 clean runs/);
  });

  it('--target-rate 3%: a suite that never fails is "fixed" after 101 clean runs (the fixed plan: 99), exit 0', async () => {
    const { outcome, exitCode, summary } = await sweep({ end: 500, untilDecided: true, targetRate: '3%', jobs: 2 }, () => ({ output: passingRun() }));
    expect(outcome.stop).toMatchObject({ kind: 'decided', good: true });
    expect(outcome.stop!.reason).toMatch(/^decided after 101 iteration\(s\) \(0 failed\): below 3%: fixed$/);
    // With two jobs, results come out of order: those that finished while an earlier one was still
    // running could not be judged yet (the test looks at iterations in order only), and are extra.
    expect(outcome.results.length).toBeGreaterThanOrEqual(101);
    expect(outcome.results.length).toBeLessThan(120);
    expect(exitCode).toBe(ExitCode.ok);
    expect(summary).toContain('below 3%: fixed, after 101 iteration(s)');
  });

  it('--baseline at the seed\'s fix8 A2 rate (13/50): a fixed suite is "better" after 12 iterations, fewer than the fixed plan\'s 27', async () => {
    const baselineFails = new Set([6, 8, 10, 18, 21, 24, 28, 31, 39, 43, 44, 47, 49]);
    await sweep({ end: 50, tag: 'fix8' }, (i) => (baselineFails.has(i) ? { output: failingRun(), exitCode: 1 } : { output: passingRun() }));
    const { outcome, exitCode, summary } = await sweep({ end: 200, tag: 'fix9', untilDecided: true, baseline: path.join(logs, 'serial_fix8') }, () => ({ output: passingRun() }));
    expect(outcome.stop?.reason).toMatch(/^decided after 12 iteration\(s\) \(0 failed\): better than the baseline's 26% \(13\/50\)$/);
    expect(exitCode).toBe(ExitCode.ok);
    expect(summary).toMatch(/better than the baseline's 26% \(13\/50\), after 12 iteration\(s\) \(0 failed\); a fixed two-sample plan needs \d+ per sweep/);
  });

  it('run again on a sweep already decided, it starts nothing and answers the same', async () => {
    const first = await sweep({ end: 500, untilDecided: true, targetRate: '3%', tag: 'again' }, failEvery(4));
    expect(first.outcome.stop).toMatchObject({ kind: 'decided', good: false });
    let started = 0;
    const again = await sweep({ end: 500, untilDecided: true, targetRate: '3%', tag: 'again' }, (i) => { started += 1; return failEvery(4)(i, 0, undefined as never); });
    expect(started).toBe(0);
    expect(again.outcome.ranHere).toBe(0);
    expect(again.outcome.stop).toMatchObject({ kind: 'decided', good: false, reason: first.outcome.stop!.reason });
    expect(again.exitCode).toBe(ExitCode.failures);
  });

  it('--baseline 13/50 (the counts plan prints) decides as the sweep with those counts does', async () => {
    const { outcome } = await sweep({ end: 200, tag: 'fix9', untilDecided: true, baseline: '13/50' }, () => ({ output: passingRun() }));
    expect(outcome.stop?.reason).toMatch(/^decided after 12 iteration\(s\) \(0 failed\): better than the baseline's 26% \(13\/50\)$/);
    await expect(sweep({ end: 5, tag: 'bad', untilDecided: true, baseline: '60/50' }, () => ({ output: passingRun() }))).rejects.toThrow(/--baseline 60\/50: write failures\/iterations, like 13\/50/);
  });

  it('the question must be whole: --until-decided needs exactly one of --target-rate and --baseline', () => {
    const resolve = (flags: ConfigValues) => () => resolveRunConfig({ executor: 'local', pytestNodeid: 't.py', ...flags }, {}, logs);
    expect(resolve({ untilDecided: true })).toThrow(/needs the question: --target-rate 1% .* or --baseline/);
    expect(resolve({ untilDecided: true, targetRate: '1%', baseline: 'x' })).toThrow(UsageError);
    expect(resolve({ targetRate: '1%' })).toThrow(/add --until-decided/);
    expect(resolve({ untilDecided: true, targetRate: '150%' })).toThrow(/--target-rate "150%" must be a rate between 0 and 100%/);
  });
});
