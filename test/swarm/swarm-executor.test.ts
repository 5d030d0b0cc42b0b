/**
 * The swarm executor on the test swarm, beyond the conformance kit: placement over all nodes,
 * preflight naming the nodes that fail, a node lost mid-iteration, stopping with nothing left,
 * and what an iteration costs against the docker executor.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { EnvironmentError } from '../../src/core/errors.js';
import { DockerExecutor } from '../../src/executors/docker/docker-executor.js';
import type { Executor, IterationSpec, RunningIteration } from '../../src/executors/executor.js';
import { iterationLabels } from '../../src/executors/labels.js';
import { SwarmExecutor } from '../../src/executors/swarm/swarm-executor.js';
import { currentProcess } from '../../src/store/process-identity.js';
import { PROGRAMS_ON_HOST } from '../conformance/executor-conformance.js';
import { until, within } from '../conformance/support/waiting.js';
import { managerOf, nodeClients, nodeDaemon, requireSwarm, SWARM_SCRIPT, swarmLeftovers, type TestSwarm } from './swarm-helpers.js';

const swarm = await requireSwarm();
const figures: string[] = [];

/** Reads an output to its end. */
async function text(output: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of output as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe.skipIf(swarm === null)('the swarm executor on a three-node swarm', () => {
  const s = swarm as TestSwarm;
  let scratch: string;
  let sweepId: string;
  let nextIteration = 1;
  const sweeps: string[] = [];

  function spec(argv: string[], image = s.image): IterationSpec {
    const iteration = nextIteration++;
    return {
      name: `flakehunt-${sweepId}-run${String(iteration).padStart(3, '0')}-${randomBytes(3).toString('hex')}`,
      sweepId,
      iteration,
      image,
      argv,
      env: { FLAKEHUNT_ITERATION: String(iteration) },
      envPass: [],
      workdir: null,
      mounts: [{ host: PROGRAMS_ON_HOST, container: '/programs', readOnly: true }],
      artifactsDir: '/flakehunt/artifacts',
      inject: {},
      labels: iterationLabels(sweepId, iteration, path.join(scratch, 'sweep'), currentProcess()),
      resources: { init: true, network: null, shmBytes: null, ulimits: [], gpus: null, cpus: null, memoryBytes: null, cpuset: null },
    perturbation: null,
    };
  }

  function executor(options: { constraints?: string[]; sharedDir?: string } = {}): SwarmExecutor {
    return new SwarmExecutor({ docker: managerOf(s), stopGraceMs: 2_000, ...options });
  }

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-swarm-exec-'));
  });
  afterEach(async () => {
    await executor().reap({ sweepId, includeLiveOwners: true });
  });
  afterAll(async () => {
    if (figures.length > 0) console.info(`[swarm executor] figures:\n  ${figures.join('\n  ')}`);
    for (const id of sweeps) expect(await swarmLeftovers(s, id)).toEqual([]);
    await rm(scratch, { recursive: true, force: true });
  });
  const fresh = () => {
    sweepId = `swx-${randomBytes(4).toString('hex')}`;
    sweeps.push(sweepId);
  };

  it('places iterations on all three nodes, and says where each one ran', async () => {
    fresh();
    const swarmExecutor = executor();
    const runs = await Promise.all(Array.from({ length: 6 }, () => swarmExecutor.start(spec(['python3', '-c', 'import time; time.sleep(2); print("done")']))));
    const outputs = await Promise.all(runs.map((r) => text(r.output)));
    const exits = await Promise.all(runs.map((r) => r.exited));
    expect(exits).toEqual(runs.map(() => ({ exitCode: 0, signal: null })));
    expect(outputs).toEqual(runs.map(() => 'done\n'));
    const hostnames = runs.map((r) => r.node?.hostname);
    expect(new Set(hostnames)).toEqual(new Set(s.nodes.map((n) => n.hostname)));
    await Promise.all(runs.map((r) => r.cleanup()));
    await until(async () => (await swarmLeftovers(s, sweepId)).length === 0, 10_000, 'nothing left');
  }, 120_000);

  it('preflight checks the shared folder and the image on every eligible node, and names the ones that fail', async () => {
    fresh();
    const shared = path.join(scratch, 'shared', 'logs', 'n1_tag');
    await mkdir(path.dirname(shared), { recursive: true });
    const ok = await within(60_000, executor({ sharedDir: shared }).preflight(s.image), 'preflight');
    expect(ok.imageId).toBe((await managerOf(s).getImage(s.image).inspect()).Id);

    // worker1 no longer sees the folder: a tmpfs hides it in worker1's mount namespace only.
    await execa('bash', [SWARM_SCRIPT, 'exec', 'worker1', 'mount', '-t', 'tmpfs', 'flakehunt-hide', path.dirname(shared)]);
    try {
      const hidden = await executor({ sharedDir: shared }).preflight(s.image).then(() => null, (e: unknown) => e as Error);
      expect(hidden).toBeInstanceOf(EnvironmentError);
      expect(hidden!.message).toMatch(/node flakehunt-worker1 cannot see .*mount the shared file system at the same path on every node/);
      expect(hidden!.message).not.toMatch(/flakehunt-manager|flakehunt-worker2/);
      // Not a node --constraint rules out.
      await executor({ sharedDir: shared, constraints: ['node.hostname!=flakehunt-worker1'] }).preflight(s.image);
    } finally {
      await execa('bash', [SWARM_SCRIPT, 'exec', 'worker1', 'umount', path.dirname(shared)]);
    }

    // An image only the manager and worker1 have (a tiny one, made for this): worker2 is named.
    const tiny = `flakehunt-swarm-tiny:${randomBytes(3).toString('hex')}`;
    const manager = managerOf(s);
    const worker1 = nodeClients(s).find((n) => n.hostname === 'flakehunt-worker1')!.docker;
    await execa('sh', ['-c', 'tar -cf - --files-from /dev/null | docker -H "$1" import - "$2" >/dev/null && docker -H "$1" save "$2" | docker -H "$3" load -q >/dev/null', 'sh', s.manager, tiny, s.nodes.find((n) => n.name === 'worker1')!.socket]);
    try {
      const missing = await executor({ sharedDir: shared }).preflight(tiny).then(() => null, (e: unknown) => e as Error);
      expect(missing).toBeInstanceOf(EnvironmentError);
      expect(missing!.message).toMatch(new RegExp(`node flakehunt-worker2 does not have the image ${tiny.replace(/[.:]/g, '\\$&')} as the manager has it .*docker save`));
      // The others have it, but it has no shell for the probe to run.
      expect(missing!.message).toMatch(/node flakehunt-worker1: .*needs \/bin\/sh/);
      expect(missing!.message).not.toMatch(/flakehunt-worker1 does not have/);
    } finally {
      await manager.getImage(tiny).remove().catch(() => undefined);
      await worker1.getImage(tiny).remove().catch(() => undefined);
    }

    const nowhere = await executor({ constraints: ['node.labels.flakehunt-nonexistent==1'] }).preflight(s.image).then(() => null, (e: unknown) => e as Error);
    expect(nowhere).toBeInstanceOf(EnvironmentError);
    expect(nowhere!.message).toMatch(/no ready, active swarm node matching node.labels.flakehunt-nonexistent==1/);
  }, 180_000);

  it('a worker whose dockerd is killed mid-iteration: an infrastructure error (lost, no exit code) within a deadline, and nothing left once it is back', async () => {
    fresh();
    const pinned = executor({ constraints: ['node.hostname==flakehunt-worker2'] });
    const running = await pinned.start(spec(['python3', '/programs/handle_sigterm.py']));
    const chunks: string[] = [];
    running.output.on('data', (c: Buffer) => chunks.push(c.toString()));
    const ended = new Promise<void>((resolve) => running.output.once('end', resolve));
    await until(() => chunks.join('').includes('ready\n'), 30_000, 'ready');
    expect(running.node?.hostname).toBe('flakehunt-worker2');
    const t0 = performance.now();
    await nodeDaemon('kill-node', 'worker2');
    try {
      const exit = await within(40_000, running.exited, 'exited after the node was lost');
      figures.push(`dockerd killed → the iteration lost (node Down seen): ${Math.round(performance.now() - t0)} ms`);
      expect(exit.exitCode).toBeNull();
      expect(exit.lost).toMatch(/its node flakehunt-worker2 is down \(heartbeat failure\)/);
      await within(5_000, ended, 'the output ended');
      await within(30_000, running.cleanup(), 'cleanup while the node is down');
    } finally {
      await nodeDaemon('start-node', 'worker2');
    }
    const t1 = performance.now();
    await until(async () => (await swarmLeftovers(s, sweepId)).length === 0, 30_000, 'nothing left once worker2 is back');
    figures.push(`worker2 back → its orphaned container removed: ${Math.round(performance.now() - t1)} ms`);
    await until(async () => (await managerOf(s).listNodes()).every((n: { Status: { State: string } }) => n.Status.State === 'ready'), 30_000, 'worker2 ready');
  }, 120_000);

  it('stopping iterations mid-run on every node leaves no service or container anywhere; a SIGTERM handler\'s last words arrive whole', async () => {
    fresh();
    const swarmExecutor = executor();
    const runs = await Promise.all([0, 1, 2].map(() => swarmExecutor.start(spec(['python3', '/programs/ignore_sigterm.py']))));
    const polite = await swarmExecutor.start(spec(['python3', '/programs/handle_sigterm.py']));
    const outputs = [...runs, polite].map((r) => text(r.output));
    const all = [...runs, polite];
    await until(async () => (await swarmLeftovers(s, sweepId)).filter((l) => l.includes('(running)')).length === 4, 30_000, 'all four running');
    expect(new Set(runs.map((r) => r.node?.hostname)).size).toBeGreaterThanOrEqual(2);
    const t0 = performance.now();
    await Promise.all(all.map((r) => r.stop(2_000)));
    figures.push(`stop() of 4 iterations at once (3 ignore SIGTERM, --grace 2 s): ${Math.round(performance.now() - t0)} ms`);
    expect((await Promise.all(runs.map((r) => r.exited))).map((e) => e.exitCode)).toEqual([137, 137, 137]);
    expect(await polite.exited).toEqual({ exitCode: 0, signal: null });
    expect(await outputs[3]).toBe('ready\ngot SIGTERM, exiting\n');
    await Promise.all(all.map((r) => r.cleanup()));
    await until(async () => (await swarmLeftovers(s, sweepId)).length === 0, 10_000, 'nothing left on any node');
  }, 120_000);

  it('what a trivial iteration costs against the docker executor (start → exit → log complete → removed)', async () => {
    fresh();
    const rounds = 5;
    const measure = async (make: () => Executor, image: string): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < rounds; i += 1) {
        const e = make();
        const t0 = performance.now();
        const running: RunningIteration = await e.start(spec(['true'], image));
        await text(running.output);
        await running.exited;
        await running.cleanup();
        times.push(performance.now() - t0);
      }
      return times;
    };
    await measure(() => executor(), s.image);
    const swarmTimes = await measure(() => executor(), s.image);
    const onManager = await measure(() => executor({ constraints: ['node.role==manager'] }), s.image);
    const onWorker = await measure(() => executor({ constraints: ['node.role==worker'] }), s.image);
    const dockerTimes = await measure(() => new DockerExecutor(new Docker()), s.image);
    const line = (what: string, t: number[]) => `${what}: median ${Math.round(median(t))} ms (${t.map((x) => Math.round(x)).join(', ')})`;
    figures.push(line('swarm, any node', swarmTimes), line('swarm, the manager', onManager), line('swarm, a worker', onWorker), line('docker executor, this host', dockerTimes));
    expect(median(swarmTimes)).toBeGreaterThan(median(dockerTimes));
    expect(median(swarmTimes)).toBeLessThan(10_000);
  }, 300_000);
});
