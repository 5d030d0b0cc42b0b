import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import { sweepExitCode } from '../../../src/cli/exit-codes.js';
import type { ConfigValues } from '../../../src/config/config-file.js';
import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { ExitCode, InterruptedError } from '../../../src/core/errors.js';
import { type SweepEvent, SweepEvents } from '../../../src/core/events.js';
import type { IterationResult } from '../../../src/core/result.js';
import { summaryRenderer, sweepInfoOf } from '../../../src/report/sweep-summary.js';
import { SweepLayout } from '../../../src/store/layout.js';
import { processStartTime } from '../../../src/store/process-identity.js';
import { readAllResults } from '../../../src/store/results-store.js';
import { SweepRunner } from '../../../src/sweep/sweep-runner.js';
import { FakeExecutor, type FakeScript } from '../../support/fake-executor.js';
import { instantClock } from '../../support/instant-clock.js';
import { bar, failingRun, passingRun, uncollectableRun } from '../../support/pytest-console.js';

let logs: string;
beforeEach(async () => {
  logs = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-engine-'));
});
afterEach(async () => {
  await rm(logs, { recursive: true, force: true });
});

function config(flags: ConfigValues) {
  return resolveRunConfig({ executor: 'local', pytestNodeid: 't.py', logsDir: logs, end: 5, ...flags }, {}, logs);
}

/** A gate a test opens when it wants a run to end. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function sweep(flags: ConfigValues, executor: FakeExecutor, signal = new AbortController().signal) {
  const cfg = config(flags);
  const taxonomy = await loadTaxonomy();
  const events = new SweepEvents();
  const seen: SweepEvent[] = [];
  events.subscribe((event) => seen.push(event));
  const clock = instantClock();
  const runner = new SweepRunner(cfg, { executor, taxonomy, events, signal, clock, summaryRenderer: (dir, record) => summaryRenderer(sweepInfoOf(dir, record), taxonomy) });
  const outcome = await runner.run();
  return { outcome, seen, clock, exitCode: sweepExitCode(outcome, cfg.schedule), layout: runner.layout };
}

const statuses = (results: IterationResult[]) => results.map((r) => `${r.iteration}:${r.status}${r.classes.length ? `:${r.classes.join(',')}` : ''}`);
const passAll: FakeScript = () => ({ output: passingRun() });

describe('SweepRunner with a fake executor', () => {
  it('runs each iteration once, classifies it, records it, and leaves nothing behind', async () => {
    const executor = new FakeExecutor((i) => (i === 3 ? { output: failingRun(), exitCode: 1 } : { output: passingRun() }));
    const { outcome, exitCode, seen } = await sweep({ jobs: 2 }, executor);
    expect(statuses(outcome.results)).toEqual(['1:passed', '2:passed', '3:failed:A1', '4:passed', '5:passed']);
    expect([...executor.startedOrder].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(executor.existing.size).toBe(0);
    expect(exitCode).toBe(ExitCode.failures);
    expect(seen.filter((e) => e.type === 'iteration-finished')).toHaveLength(5);
    expect(outcome.stop).toBeNull();
  });

  it('exit 0 when every iteration of the range passed', async () => {
    const { exitCode } = await sweep({}, new FakeExecutor(passAll));
    expect(exitCode).toBe(ExitCode.ok);
  });

  it('resumes: finished iterations are skipped, an interrupted one runs again with its old files set aside', async () => {
    const first = await sweep({ end: 3 }, new FakeExecutor(passAll));
    expect(first.outcome.results).toHaveLength(3);
    const interrupted: IterationResult = { ...first.outcome.results[1]!, status: 'interrupted', note: 'stopped' };
    await writeFile(first.layout.resultJson(2), JSON.stringify(interrupted));
    const executor = new FakeExecutor(passAll);
    const second = await sweep({ end: 4 }, executor);
    expect(executor.startedOrder).toEqual([2, 4]);
    expect(statuses(second.outcome.results)).toEqual(['1:passed', '2:passed', '3:passed', '4:passed']);
    expect(second.outcome.results[1]!.attempt).toBe(2);
    expect(await readdir(first.layout.runDir(2))).toContain('attempt-1');
    expect(second.seen.filter((e) => e.type === 'iteration-skipped').map((e) => (e as { iteration: number }).iteration)).toEqual([1, 3]);
  });

  it('takes over an iteration claimed by a process that died, and reaps its containers', async () => {
    const layout = new SweepLayout(path.join(logs, 'serial'));
    const dead = spawnSync('true').pid!;
    await mkdir(layout.claimLock(2), { recursive: true });
    await writeFile(layout.claimInfo(2), JSON.stringify({ iteration: 2, owner: { host: os.hostname(), pid: dead, startTime: processStartTime(dead) ?? 'gone' }, claimedAt: new Date().toISOString(), runner: 'x' }));
    const executor = new FakeExecutor(passAll);
    const { outcome, seen } = await sweep({ end: 3 }, executor);
    expect(statuses(outcome.results)).toEqual(['1:passed', '2:passed', '3:passed']);
    expect(seen.some((e) => e.type === 'warning' && e.message.startsWith('took over run002 from a process that died'))).toBe(true);
    // Once for leftovers of killed runs at the start, once for the dead claim's owner.
    expect(executor.reaps.filter((r) => !r.includeLiveOwners)).toHaveLength(2);
    expect(existsSync(layout.claimInfo(2))).toBe(false);
  });

  it('--until-fail: stops at the first failing iteration, nothing starts after it, and writes stop.json', async () => {
    const executor = new FakeExecutor((i) => (i === 2 ? { output: failingRun(), exitCode: 1 } : { output: passingRun() }));
    const { outcome, exitCode, layout } = await sweep({ end: 10, untilFail: true }, executor);
    expect(executor.startedOrder).toEqual([1, 2]);
    expect(outcome.stop).toMatchObject({ kind: 'limit' });
    expect(outcome.stop!.reason).toMatch(/1 failing iteration\(s\) \(run002\) reached --until-fail/);
    expect(exitCode).toBe(ExitCode.failures);
    expect(existsSync(layout.stopJson)).toBe(true);
    // The iteration prepared ahead was discarded unstarted, and its claim let go.
    expect(executor.existing.size).toBe(0);
    expect(await readdir(layout.claimsDir).catch(() => [])).toEqual([]);
  });

  it('--max-failures 2 with two jobs: stops once two iterations failed', async () => {
    const executor = new FakeExecutor((i) => (i % 2 === 0 ? { output: failingRun(), exitCode: 1 } : { output: passingRun() }));
    const { outcome } = await sweep({ end: 20, jobs: 2, maxFailures: 2 }, executor);
    expect(outcome.stop?.reason).toMatch(/^2 failing iteration\(s\) .* reached --max-failures 2/);
    expect(outcome.results.filter((r) => r.status === 'failed').length).toBeGreaterThanOrEqual(2);
    expect(outcome.results.length).toBeLessThan(20);
  });

  it('retries an infrastructure error with backoff, then runs it', async () => {
    const executor = new FakeExecutor((_, start) => (start === 1 ? { startError: 'daemon hiccup' } : { output: passingRun() }));
    const { outcome, clock, seen } = await sweep({ end: 1 }, executor);
    expect(statuses(outcome.results)).toEqual(['1:passed']);
    expect(clock.slept).toEqual([1000]);
    expect(seen.find((e) => e.type === 'iteration-retry')).toMatchObject({ iteration: 1, error: 'daemon hiccup', delayMs: 1000, attemptsLeft: 2 });
  });

  it('three infrastructure errors in a row stop the sweep with exit 3', async () => {
    const executor = new FakeExecutor(() => ({ startError: 'no daemon' }));
    const { outcome, exitCode, clock } = await sweep({ end: 10, infraRetries: 1 }, executor);
    expect(outcome.stop?.kind).toBe('environment');
    expect(outcome.stop?.reason).toMatch(/^3 iterations in a row could not run \(last: no daemon\)/);
    expect(statuses(outcome.results)).toEqual(['1:error', '2:error', '3:error']);
    expect(clock.slept).toEqual([1000, 1000, 1000]);
    expect(exitCode).toBe(ExitCode.environment);
  });

  it('tests that cannot be collected stop the sweep after the first iteration with exit 2', async () => {
    const executor = new FakeExecutor(() => ({ output: uncollectableRun(), exitCode: 4 }));
    const { outcome, exitCode } = await sweep({ end: 50 }, executor);
    expect(statuses(outcome.results)).toEqual(['1:error']);
    expect(outcome.stop?.reason).toMatch(/pytest could not collect the tests \(exit 4\).*check --pytest-nodeid, --workdir and --mount/);
    expect(exitCode).toBe(ExitCode.usage);
  });

  it('a bad -k expression stops the sweep the same way, pointing at the expression', async () => {
    const badK = [bar('test session starts'), 'collecting ... collected 2 items / 2 deselected / 0 selected', '', bar('2 deselected in 0.01s'), "ERROR: Wrong expression passed to '-k': not (: at column 5: expected not OR left parenthesis OR identifier; got end of input"];
    const { outcome, exitCode } = await sweep({ end: 50 }, new FakeExecutor(() => ({ output: badK, exitCode: 4 })));
    expect(statuses(outcome.results)).toEqual(['1:error']);
    expect(outcome.stop?.reason).toMatch(/ERROR: Wrong expression passed to '-k'.*; check the -k or -m expression in --pytest-args$/);
    expect(exitCode).toBe(ExitCode.usage);
  });

  it('a worker left with nothing to do runs the iteration another worker prepared behind a long run', async () => {
    const long = gate();
    const executor = new FakeExecutor((i) => (i === 1 ? { output: passingRun(), gate: long.promise } : { output: passingRun() }));
    const running = sweep({ end: 4, jobs: 2 }, executor);
    // Iterations 2–4 all finish on the second worker while iteration 1 is still running.
    await waitFor(() => executor.count('cleanup') >= 3);
    long.open();
    const { outcome } = await running;
    expect(statuses(outcome.results)).toEqual(['1:passed', '2:passed', '3:passed', '4:passed']);
    for (const i of [1, 2, 3, 4]) expect(executor.count('start', i)).toBe(1);
    expect(executor.count('discard')).toBe(0);
  });

  it('Ctrl-C before the preflight answers: nothing is written', async () => {
    const preflight = gate();
    const executor = new FakeExecutor(passAll, null, preflight.promise);
    const controller = new AbortController();
    const running = sweep({}, executor, controller.signal);
    controller.abort();
    preflight.open();
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
    expect(await readdir(logs)).toEqual([]);
  });

  it('Ctrl-C while an iteration runs: it is stopped and recorded interrupted, its prepared successor discarded, exit 130', async () => {
    const executor = new FakeExecutor(() => ({ output: passingRun(), hang: true }));
    const controller = new AbortController();
    const running = sweep({ end: 5 }, executor, controller.signal);
    await waitFor(() => executor.count('start') === 1 && executor.count('prepare') === 2);
    controller.abort();
    const { outcome, exitCode, layout } = await running;
    expect(statuses(outcome.results)).toEqual(['1:interrupted']);
    expect(executor.count('stop', 1)).toBe(1);
    expect(executor.count('discard', 2)).toBe(1);
    expect(executor.existing.size).toBe(0);
    expect(exitCode).toBe(ExitCode.interrupted);
    expect(await readdir(layout.claimsDir)).toEqual([]);
  });

  it('Ctrl-C during a retry backoff: no further attempt, exit 130', async () => {
    const controller = new AbortController();
    const executor = new FakeExecutor(() => {
      controller.abort();
      return { startError: 'daemon hiccup' };
    });
    const { outcome, exitCode } = await sweep({ end: 3 }, executor, controller.signal);
    expect(executor.count('prepare')).toBe(1);
    expect(statuses(outcome.results)).toEqual(['1:error']);
    expect(exitCode).toBe(ExitCode.interrupted);
  });

  it('a hang: the watchdog stops it, writes the marker the taxonomy classifies, and saves forensics', async () => {
    const executor = new FakeExecutor(() => ({ output: ['t.py::test_a '], hang: true }));
    const { outcome, layout } = await sweep({ end: 1, idleTimeout: '50ms', grace: '0' }, executor);
    expect(statuses(outcome.results)).toEqual(['1:failed:A4']);
    expect(outcome.results[0]!.killedBy).toBe('idle');
    expect(existsSync(layout.forensicsTxt(1))).toBe(true);
  });
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
