import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { SweepEvents } from '../../../src/core/events.js';
import type { IterationResult } from '../../../src/core/result.js';
import { summaryRenderer, sweepInfoOf } from '../../../src/report/sweep-summary.js';
import { SweepRunner } from '../../../src/sweep/sweep-runner.js';
import { FakeExecutor, type FakeScript } from '../../support/fake-executor.js';
import { instantClock } from '../../support/instant-clock.js';
import { passingRun } from '../../support/pytest-console.js';

let logs: string;
beforeEach(async () => {
  logs = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-applied-'));
});
afterEach(async () => {
  await rm(logs, { recursive: true, force: true });
});

/** Two iterations under stalls of 1 ms every 1 ms, each running 40 ms: the first frozen 12 times, the second never. */
async function stalledSweep() {
  const config = resolveRunConfig({ executor: 'docker', image: 'img', pytestNodeid: 't.py', logsDir: logs, seed: 'fixed', perturb: 'stall:1ms@1ms', end: '2' }, {}, logs);
  const script: FakeScript = (iteration) => ({ output: passingRun(), gate: delay(40), applied: { stallWindows: iteration === 1 ? 12 : 0 } });
  const events = new SweepEvents();
  const warnings: string[] = [];
  events.subscribe((event) => {
    if (event.type === 'warning') warnings.push(event.message);
  });
  const taxonomy = await loadTaxonomy();
  const runner = new SweepRunner(config, { executor: new FakeExecutor(script), taxonomy, events, signal: new AbortController().signal, clock: instantClock(), summaryRenderer: (dir, record) => summaryRenderer(sweepInfoOf(dir, record), taxonomy) });
  await runner.run();
  const result = async (n: number) => JSON.parse(await readFile(path.join(runner.layout.dir, `run00${n}`, 'result.json'), 'utf8')) as IterationResult;
  return { first: await result(1), second: await result(2), warnings };
}

describe('what the executor applied', () => {
  it('is recorded with the conditions; a stalled iteration the container was never frozen in is said, not taken as stalled', async () => {
    const { first, second, warnings } = await stalledSweep();
    expect(first.conditions!.applied).toEqual({ stallWindows: 12 });
    expect(second.conditions!.applied).toEqual({ stallWindows: 0 });
    expect(warnings.filter((w) => w.includes('stall'))).toEqual([expect.stringMatching(/^run002: no stall window was applied in .* \(the container could not be frozen\): it ran without its stalls$/)]);
  });
});
