/**
 * Whole sweeps on the test swarm through the engine (SweepRunner with the swarm executor, as
 * `flakehunt run --executor swarm` will run them): the known-failure suite gives the same classes
 * per iteration as on one host, over all three nodes; a node lost mid-sweep costs retries, not
 * failures; Ctrl-C leaves nothing on any node.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadTaxonomy } from '../../src/classify/taxonomy-loader.js';
import { sweepExitCode } from '../../src/cli/exit-codes.js';
import type { ConfigValues } from '../../src/config/config-file.js';
import { resolveRunConfig } from '../../src/config/resolve-run-config.js';
import { SweepEvents, type SweepEvent } from '../../src/core/events.js';
import type { EnvironmentCheck, Executor, IterationSpec, PreparedIteration, ReapFilter, RunningIteration } from '../../src/executors/executor.js';
import { SwarmExecutor } from '../../src/executors/swarm/swarm-executor.js';
import { summaryRenderer, sweepInfoOf } from '../../src/report/sweep-summary.js';
import { SweepLayout } from '../../src/store/layout.js';
import type { SweepRecord } from '../../src/store/sweep-record.js';
import { sweepDirOf } from '../../src/sweep/sweep-config.js';
import { type SweepOutcome, SweepRunner } from '../../src/sweep/sweep-runner.js';
import { until } from '../conformance/support/waiting.js';
import { E2E_SUITE, expectedClasses, ROOT, tempDir } from '../e2e/helpers.js';
import { managerOf, nodeDaemon, requireSwarm, swarmLeftovers, type TestSwarm } from './swarm-helpers.js';

const swarm = await requireSwarm();

/** The swarm executor, noting where each attempt of each iteration ran. */
class Placements implements Executor {
  readonly kind = 'swarm' as const;
  readonly nodes = new Map<number, string[]>();
  readonly running = new Set<RunningIteration>();

  constructor(private readonly inner: SwarmExecutor) {}

  ping(): Promise<void> {
    return this.inner.ping();
  }

  preflight(image: string | null) {
    return this.inner.preflight(image);
  }

  describe(spec: IterationSpec): unknown {
    return this.inner.describe(spec);
  }

  checkEnvironment(image: string | null): Promise<EnvironmentCheck[]> {
    return this.inner.checkEnvironment(image);
  }

  reap(filter: ReapFilter) {
    return this.inner.reap(filter);
  }

  async start(spec: IterationSpec): Promise<RunningIteration> {
    return (await this.prepare(spec)).start();
  }

  async prepare(spec: IterationSpec): Promise<PreparedIteration> {
    const prepared = await this.inner.prepare(spec);
    return {
      start: async () => {
        const running = await prepared.start();
        this.nodes.set(spec.iteration, [...(this.nodes.get(spec.iteration) ?? []), running.node?.hostname ?? '?']);
        this.running.add(running);
        void running.exited.then(() => this.running.delete(running));
        return running;
      },
      discard: () => prepared.discard(),
    };
  }
}

describe.skipIf(swarm === null)('sweeps on a three-node swarm', () => {
  const s = swarm as TestSwarm;
  let logs: string;
  const sweepIds: string[] = [];

  beforeAll(async () => {
    logs = await tempDir('flakehunt-swarm-sweep-');
  });
  afterAll(async () => {
    for (const id of sweepIds) expect(await swarmLeftovers(s, id)).toEqual([]);
    await rm(logs, { recursive: true, force: true });
  });

  async function sweep(flags: ConfigValues, during?: (placements: Placements, runner: SweepRunner, events: SweepEvent[], abort: () => void) => Promise<void>) {
    const config = resolveRunConfig({ executor: 'swarm', image: s.image, logsDir: logs, start: 1, ...flags }, {}, ROOT);
    const dir = sweepDirOf(config);
    const placements = new Placements(new SwarmExecutor({ docker: managerOf(s), stopGraceMs: config.limits.graceMs, sharedDir: dir }));
    const events = new SweepEvents();
    const seen: SweepEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const controller = new AbortController();
    const taxonomy = await loadTaxonomy(config.output.taxonomyFile);
    const runner = new SweepRunner(config, { executor: placements, taxonomy, events, signal: controller.signal, summaryRenderer: (d, record) => summaryRenderer(sweepInfoOf(d, record), taxonomy) });
    const running = runner.run();
    await during?.(placements, runner, seen, () => controller.abort());
    const finished: SweepOutcome = await running;
    // What the CLI says of it: the exit code, and the results of the range asked for.
    const outcome = { ...finished, exitCode: sweepExitCode(finished, config.schedule), inRange: finished.results.filter((r) => r.iteration >= config.schedule.start && r.iteration <= config.schedule.end) };
    const record = JSON.parse(await readFile(new SweepLayout(dir).sweepJson, 'utf8')) as SweepRecord;
    sweepIds.push(record.sweepId);
    return { outcome, placements, seen, dir, sweepId: record.sweepId };
  }

  it('the known-failure suite over three nodes: the same classes per iteration as on one host, each iteration once, all nodes used', async () => {
    const { outcome, placements, dir, sweepId } = await sweep({
      pytestNodeid: ['test_known.py'], mount: [`${E2E_SUITE}:/suite:ro`], workdir: '/suite', pytestArgs: '-p no:cacheprovider', end: 12, jobs: 3, tag: 'known',
    });
    expect(outcome.inRange.map((r) => r.iteration)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const r of outcome.inRange) {
      expect({ iteration: r.iteration, classes: r.classes, attempt: r.attempt }).toEqual({ iteration: r.iteration, classes: expectedClasses(r.iteration), attempt: 1 });
      expect(r.status).toBe(expectedClasses(r.iteration).length === 0 ? 'passed' : 'failed');
    }
    expect(outcome.exitCode).toBe(1);
    expect([...placements.nodes.values()].every((n) => n.length === 1)).toBe(true);
    expect(new Set([...placements.nodes.values()].flat())).toEqual(new Set(s.nodes.map((n) => n.hostname)));
    // The plugin's per-test reports came back through the shared folder.
    expect(await readdir(path.join(dir, 'run005', 'artifacts', 'flakehunt'))).not.toEqual([]);
    expect(await readdir(path.join(dir, '.swarm'))).toEqual([]);
    await until(async () => (await swarmLeftovers(s, sweepId)).length === 0, 10_000, 'nothing left');
  }, 240_000);

  it('a node\'s dockerd killed mid-sweep: its iteration is retried on another node, nothing counts as a failure, the sweep goes on', async () => {
    let victim = -1;
    const { outcome, placements, seen, sweepId } = await sweep({ command: 'python3 -c "import time; time.sleep(6); print(\'done\')"', end: 9, jobs: 3, tag: 'lost' }, async (placements) => {
      // 6 s iterations: still running when kill-node is done, even on a loaded machine.
      await until(() => [...placements.running].some((r) => r.node?.hostname === 'flakehunt-worker1'), 60_000, 'an iteration on worker1');
      victim = [...placements.nodes.entries()].find(([, nodes]) => nodes.at(-1) === 'flakehunt-worker1')![0];
      await nodeDaemon('kill-node', 'worker1');
    });
    try {
      expect(outcome.exitCode).toBe(0);
      expect(outcome.inRange.map((r) => r.status)).toEqual(Array(9).fill('passed'));
      const lost = outcome.inRange.filter((r) => r.attempt > 1);
      expect(lost.map((r) => r.iteration)).toContain(victim);
      for (const r of lost) expect(placements.nodes.get(r.iteration)!.at(-1)).not.toBe('flakehunt-worker1');
      const retries = seen.filter((e): e is Extract<SweepEvent, { type: 'iteration-retry' }> => e.type === 'iteration-retry');
      expect(retries.map((e) => e.iteration)).toEqual(expect.arrayContaining([victim]));
      console.info(`[swarm sweep] node lost: retried ${retries.map((e) => `${e.iteration} (${e.error})`).join('; ')}; placements ${JSON.stringify(Object.fromEntries(placements.nodes))}`);
    } finally {
      await nodeDaemon('start-node', 'worker1');
    }
    await until(async () => (await swarmLeftovers(s, sweepId)).length === 0, 30_000, 'nothing left once worker1 is back');
    await until(async () => (await managerOf(s).listNodes()).every((n: { Status: { State: string } }) => n.Status.State === 'ready'), 30_000, 'worker1 ready');
  }, 240_000);

  it('Ctrl-C mid-sweep: the running iterations are stopped and recorded interrupted, and nothing is left on any node', async () => {
    const { outcome, sweepId } = await sweep({ command: 'python3 -c "import time; time.sleep(60)"', end: 6, jobs: 3, tag: 'interrupted' }, async (placements, _runner, _events, abort) => {
      await until(() => placements.running.size === 3, 60_000, 'three iterations running');
      abort();
    });
    expect(outcome.exitCode).toBe(130);
    expect(outcome.inRange.filter((r) => r.status === 'interrupted').length).toBe(3);
    expect(outcome.inRange.some((r) => r.status === 'passed' || r.status === 'failed')).toBe(false);
    await until(async () => (await swarmLeftovers(s, sweepId)).length === 0, 10_000, 'nothing left on any node');
  }, 180_000);
});
