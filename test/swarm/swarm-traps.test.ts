/**
 * Swarm's behaviour on this engine (Docker 20.10) that the swarm executor relies on, pinned on the
 * test swarm through the raw API (not through flakehunt): if an engine upgrade changes one of
 * these, this file says which, before the executor misbehaves. Figures are printed, for docs/swarm.md.
 *
 * Where a check asserts that something does NOT happen (a re-run, a stream that ends), it watches
 * for a fixed window: absence cannot be awaited. The window is several times what the event
 * would take (restart delay 100 ms; a stream that ends does so at once).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';

import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type LogFrame, LogFrameParser } from '../../src/executors/swarm/log-frames.js';
import { PROGRAMS_ON_HOST } from '../conformance/executor-conformance.js';
import { until } from '../conformance/support/waiting.js';
import type { SwarmNode, SwarmTask } from '../../src/executors/swarm/swarm-types.js';
import { createRaw, logFrames, openRawLogs, removeRaw, tasksOf, TRAP_LABEL, untilTaskIn } from './raw-services.js';
import { managerOf, nodeClients, nodeDaemon, requireSwarm, type TestSwarm } from './swarm-helpers.js';

const swarm = await requireSwarm();
const figures: string[] = [];
const window = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(swarm === null)('Swarm on Docker 20.10: the behaviour the swarm executor relies on', () => {
  const s = swarm as TestSwarm;
  let manager: Docker;
  let image: string;
  const programs: Docker.MountSettings = { Type: 'bind', Source: PROGRAMS_ON_HOST, Target: '/programs', ReadOnly: true };

  /** A one-replica replicated service, restart condition none, on `node` (a host name). */
  function replicated(args: string[], node: string, extra: Partial<Docker.ContainerSpec> = {}, restartDelayMs = 100): Docker.CreateServiceOptions {
    return {
      TaskTemplate: {
        ContainerSpec: { Image: image, Args: args, Init: true, Mounts: [programs], ...extra },
        RestartPolicy: { Condition: 'none', Delay: restartDelayMs * 1e6 },
        Placement: { Constraints: [`node.hostname==${node}`] },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr' },
    };
  }

  async function containerOn(node: string, id: string): Promise<Docker.ContainerInspectInfo | null> {
    const docker = nodeClients(s).find((n) => n.hostname === node)!.docker;
    return docker.getContainer(id).inspect().catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return null;
      throw error;
    });
  }

  beforeAll(async () => {
    manager = managerOf(s);
    image = (await manager.getImage(s.image).inspect()).Id;
  });
  afterEach(async () => removeRaw(manager, nodeClients(s)));
  afterAll(async () => {
    if (figures.length > 0) console.info(`[swarm traps] figures:\n  ${figures.join('\n  ')}`);
    for (const { hostname, docker } of nodeClients(s)) {
      expect(await docker.listContainers({ all: true, filters: { label: [TRAP_LABEL] } }), `containers left on ${hostname}`).toEqual([]);
    }
  });

  it('a replicated service of one replica with restart condition none runs once, ends Complete or Failed with the exit code, and is never run again', async () => {
    const t0 = performance.now();
    const failing = await createRaw(manager, replicated(['python3', '/programs/exit_code.py', '3'], 'flakehunt-worker1'));
    const passing = await createRaw(manager, replicated(['python3', '/programs/exit_code.py', '0'], 'flakehunt-worker2'));
    const failed = await untilTaskIn(manager, failing.id, ['failed', 'complete'], 30_000);
    figures.push(`create → Failed seen (100 ms polls): ${Math.round(performance.now() - t0)} ms`);
    const complete = await untilTaskIn(manager, passing.id, ['failed', 'complete'], 30_000);
    expect(failed.Status).toMatchObject({ State: 'failed', Err: 'task: non-zero exit (3)', ContainerStatus: { ExitCode: 3 } });
    expect(complete.Status).toMatchObject({ State: 'complete', ContainerStatus: { ExitCode: 0 } });
    // With a restart delay of 100 ms, a re-run would have come 20 times over in this window.
    await window(2_000);
    expect((await tasksOf(manager, failing.id)).map((t) => t.ID)).toEqual([failed.ID]);
    expect((await tasksOf(manager, passing.id)).map((t) => t.ID)).toEqual([complete.ID]);
  }, 60_000);

  it('a task that never starts ends Rejected with an empty ContainerID and ExitCode 0 (present, not absent): never an exit code', async () => {
    const service = await createRaw(manager, replicated(['true'], 'flakehunt-worker1', { Image: `sha256:${'1'.repeat(64)}` }));
    const noImage = await untilTaskIn(manager, service.id, ['rejected', 'failed'], 30_000);
    expect(noImage.Status.State).toBe('rejected');
    expect(noImage.Status.Err).toMatch(/^No such image: sha256:1{64}$/);
    expect(noImage.Status.ContainerStatus).toMatchObject({ ContainerID: '', ExitCode: 0 });
    const unseen = await createRaw(manager, replicated(['true'], 'flakehunt-worker1', { Mounts: [{ Type: 'bind', Source: '/nonexistent/flakehunt', Target: '/x' }] }));
    const noFolder = await untilTaskIn(manager, unseen.id, ['rejected', 'failed'], 30_000);
    expect(noFolder.Status).toMatchObject({ State: 'rejected', Err: expect.stringMatching(/bind source path does not exist: \/nonexistent\/flakehunt/) });
  }, 60_000);

  it('stopping a task by scaling to 0: SIGTERM about a second later, it ends Shutdown with its exit code, then the task and its log are deleted within about a second', async () => {
    const service = await createRaw(manager, replicated(['python3', '/programs/handle_sigterm.py'], 'flakehunt-worker1', { StopGracePeriod: 10e9 }));
    const task = await untilTaskIn(manager, service.id, ['running'], 30_000);
    await until(async () => (await logFrames(manager, service.id, {})).length > 0, 30_000, 'ready');
    const info = await service.inspect();
    const t0 = performance.now();
    await service.update({ ...info.Spec, version: info.Version.Index, Mode: { Replicated: { Replicas: 0 } } });
    let shutdown: SwarmTask | null = null;
    let shutdownMs = 0;
    await until(async () => {
      const t = await manager.getTask(task.ID).inspect().catch(() => null) as SwarmTask | null;
      if (t?.Status.State === 'shutdown' && shutdown === null) [shutdown, shutdownMs] = [t, performance.now() - t0];
      return t === null;
    }, 30_000, 'the scaled-down task to be deleted');
    const deletedMs = performance.now() - t0;
    figures.push(`scale to 0 (handles SIGTERM): Shutdown after ${Math.round(shutdownMs)} ms, task deleted after ${Math.round(deletedMs)} ms`);
    // Seen only with fast polling: a poll a second apart can miss the task's end altogether.
    expect(shutdown).toMatchObject({ DesiredState: 'remove', Status: { State: 'shutdown', ContainerStatus: { ExitCode: 0 } } });
    // Deleted soon after (about a second here), not kept as task history: loose, for a loaded machine.
    expect(deletedMs - shutdownMs).toBeLessThan(8_000);
    expect(await logFrames(manager, service.id, {})).toEqual([]);
  }, 60_000);

  it('stopping a task by an update no node can place: SIGTERM about a second later, SIGKILL after StopGracePeriod; it ends Shutdown and stays, with its exit code and log; its replacement stays pending', async () => {
    const polite = await createRaw(manager, replicated(['python3', '/programs/handle_sigterm.py'], 'flakehunt-worker1', { StopGracePeriod: 10e9 }));
    const stubborn = await createRaw(manager, replicated(['python3', '/programs/ignore_sigterm.py'], 'flakehunt-worker2', { StopGracePeriod: 2e9 }));
    const tasks = await Promise.all([polite, stubborn].map((service) => untilTaskIn(manager, service.id, ['running'], 30_000)));
    // The fixtures print "ready" once their signal handler is in place.
    await until(async () => (await logFrames(manager, polite.id, {})).length > 0 && (await logFrames(manager, stubborn.id, {})).length > 0, 30_000, 'both ready');
    const stopped = await Promise.all([polite, stubborn].map(async (service, i) => {
      const info = await service.inspect();
      const template = info.Spec!.TaskTemplate as Docker.ContainerTaskSpec;
      const t0 = performance.now();
      await service.update({ ...info.Spec, version: info.Version.Index, TaskTemplate: { ...template, Placement: { Constraints: ['node.labels.dev.flakehunt.never==1'] }, ForceUpdate: 1 } });
      await until(async () => ((await manager.getTask(tasks[i]!.ID).inspect()) as SwarmTask).Status.State === 'shutdown', 30_000, 'shutdown');
      return performance.now() - t0;
    }));
    figures.push(`update no node can place → Shutdown: handles SIGTERM ${Math.round(stopped[0]!)} ms; ignores it, StopGracePeriod 2 s: ${Math.round(stopped[1]!)} ms`);
    // Under 9 s tells both from the 10 s default grace period; about 1 s and 3 s here, loose for a loaded machine.
    expect(stopped[0]).toBeLessThan(9_000);
    expect(stopped[1]).toBeGreaterThan(2_000);
    expect(stopped[1]).toBeLessThan(9_000);
    await window(3_000);
    const [politeEnd, stubbornEnd] = await Promise.all(tasks.map(async (t) => (await manager.getTask(t.ID).inspect()) as SwarmTask));
    expect(politeEnd).toMatchObject({ DesiredState: 'shutdown', Status: { State: 'shutdown', ContainerStatus: { ExitCode: 0 } } });
    expect(stubbornEnd).toMatchObject({ DesiredState: 'shutdown', Status: { State: 'shutdown', ContainerStatus: { ExitCode: 137 } } });
    expect((await logFrames(manager, polite.id, {})).map((f) => f.message.toString()).join('')).toBe('ready\ngot SIGTERM, exiting\n');
    const replacement = (await tasksOf(manager, stubborn.id)).find((t) => t.ID !== stubbornEnd!.ID);
    expect(replacement?.Status).toMatchObject({ State: 'pending', Err: expect.stringMatching(/no suitable node/) });
  }, 90_000);

  it('service rm of a running task: the task stays readable (desired state remove) until its node stopped the container, which is gone from the worker within seconds', async () => {
    const service = await createRaw(manager, replicated(['python3', '/programs/ignore_sigterm.py'], 'flakehunt-worker1', { StopGracePeriod: 2e9 }));
    const task = await untilTaskIn(manager, service.id, ['running'], 30_000);
    const container = task.Status.ContainerStatus!.ContainerID!;
    const t0 = performance.now();
    await service.remove();
    const seen = new Set<string>();
    let taskGoneMs = 0;
    await until(async () => {
      const t = await manager.getTask(task.ID).inspect().catch(() => null) as SwarmTask | null;
      if (t !== null) seen.add(`${t.Status.State}/${t.DesiredState}`);
      if (t === null && taskGoneMs === 0) taskGoneMs = performance.now() - t0;
      return t === null;
    }, 30_000, 'the task to be deleted');
    expect([...seen]).toContain('running/remove');
    await until(async () => (await containerOn('flakehunt-worker1', container)) === null, 10_000, 'the container to be removed from worker1');
    figures.push(`service rm (ignores SIGTERM, grace 2 s): task deleted after ${Math.round(taskGoneMs)} ms, container removed after ${Math.round(performance.now() - t0)} ms`);
  }, 60_000);

  it('a replicated-job is the wrong shape: a failing task is re-created over and over whatever the restart condition, and service rm leaves its containers on the worker', async () => {
    const job = (args: string[], concurrent: number): Docker.CreateServiceOptions => ({
      TaskTemplate: {
        ContainerSpec: { Image: image, Args: args },
        RestartPolicy: { Condition: 'none' },
        Placement: { Constraints: ['node.hostname==flakehunt-worker2'] },
      },
      Mode: { ReplicatedJob: { MaxConcurrent: concurrent, TotalCompletions: concurrent } },
    });
    const failing = await createRaw(manager, job(['sh', '-c', 'exit 1'], 2));
    const t0 = performance.now();
    // Two completions wanted, restart condition none: yet failed tasks keep being replaced.
    await until(async () => (await tasksOf(manager, failing.id)).length >= 5, 20_000, 'the failing job to be re-created');
    figures.push(`replicated-job (2 completions, exit 1, restart none): 5 tasks after ${Math.round(performance.now() - t0)} ms`);
    await failing.remove();

    const running = await createRaw(manager, job(['sleep', '300'], 1));
    const task = await untilTaskIn(manager, running.id, ['running'], 30_000);
    await running.remove();
    // A replicated service's container goes within about 2 s (above); this one stays.
    await window(5_000);
    expect((await containerOn('flakehunt-worker2', task.Status.ContainerStatus!.ContainerID!))?.State.Running).toBe(true);
  }, 60_000);

  it('logs: follow never ends; stdout and stderr interleave in log order; since is inclusive; chunks of a long line share its timestamp', async () => {
    const service = await createRaw(manager, replicated(['python3', '/programs/interleave.py', '20', '0.05'], 'flakehunt-worker1'));
    const follow = await openRawLogs(manager, service.id, { follow: 'true' });
    let ended = false;
    const followed: string[] = [];
    follow.on('error', () => undefined);
    follow.pipe(new LogFrameParser()).on('end', () => (ended = true)).pipe(new Writable({ objectMode: true, write: (f: LogFrame, _e, done) => { followed.push(f.message.toString()); done(); } }));
    const ordered = Array.from({ length: 20 }, (_, i) => `${i % 2 === 0 ? 'out' : 'err'} ${i}\n`);
    await untilTaskIn(manager, service.id, ['complete'], 30_000);
    await until(() => followed.length === 20, 10_000, 'the 20 lines through the follow stream');
    expect(followed).toEqual(ordered);
    await window(2_000);
    expect(ended, 'the follow stream ended').toBe(false);
    follow.destroy();

    const plain = await logFrames(manager, service.id, {});
    expect(plain.map((f) => f.message.toString())).toEqual(ordered);
    expect(plain.map((f) => f.stream)).toEqual(ordered.map((_, i) => (i % 2 === 0 ? 1 : 2)));
    const stamped = await logFrames(manager, service.id, { timestamps: 'true' });
    expect(stamped.every((f) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(f.ts))).toBe(true);
    expect(stamped.map((f) => f.seconds)).toEqual([...stamped.map((f) => f.seconds)].sort((a, b) => a - b));
    const fifth = stamped[5]!;
    const since = `${Math.floor(fifth.seconds)}.${fifth.ts.slice(20, 29)}`;
    expect((await logFrames(manager, service.id, { timestamps: 'true', since })).map((f) => f.ts)).toEqual(stamped.slice(5).map((f) => f.ts));

    // Written back to back, each stream keeps its order, but not their interleaving: each stream's
    // copier on the node reads what is there in one go and stamps it when it reads.
    const burst = await createRaw(manager, replicated(['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do echo o$i; echo e$i >&2; done'], 'flakehunt-worker1'));
    await untilTaskIn(manager, burst.id, ['complete'], 30_000);
    const burstLines = (await logFrames(manager, burst.id, {})).map((f) => f.message.toString().trim());
    expect(burstLines.filter((l) => l.startsWith('o'))).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8']);
    expect(burstLines.filter((l) => l.startsWith('e'))).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8']);
    figures.push(`stdout/stderr written back to back arrive as: ${burstLines.join(' ')}`);

    const long = await createRaw(manager, replicated(['python3', '-c', 'import os; os.write(1, b"x" * 40000 + b"\\nend\\n")'], 'flakehunt-worker2'));
    await untilTaskIn(manager, long.id, ['complete'], 30_000);
    const chunks = await logFrames(manager, long.id, { timestamps: 'true' });
    expect(chunks.map((f) => f.message.length)).toEqual([16384, 16384, 7233, 4]);
    expect(new Set(chunks.slice(0, 3).map((f) => f.ts)).size).toBe(1);
    expect(chunks[3]!.ts).not.toBe(chunks[0]!.ts);
  }, 90_000);

  it('a node whose dockerd is killed: Down after about 12 s, its task left Running with desired state Shutdown and never replaced; back up, the node removes the container', async () => {
    const token = `tick-${Date.now()}`;
    const service = await createRaw(manager, replicated(['python3', '-c', `import time\nwhile True:\n  print("${token}", flush=True); time.sleep(0.5)`], 'flakehunt-worker2'));
    const task = await untilTaskIn(manager, service.id, ['running'], 30_000);
    const t0 = performance.now();
    await nodeDaemon('kill-node', 'worker2');
    try {
      let down: SwarmNode | undefined;
      await until(async () => {
        down = (await manager.getNode(task.NodeID!).inspect()) as SwarmNode;
        return down.Status.State === 'down';
      }, 30_000, 'worker2 to be marked down');
      figures.push(`dockerd killed → node Down: ${Math.round(performance.now() - t0)} ms (${down!.Status.Message})`);
      const [after] = await tasksOf(manager, service.id);
      expect(after).toMatchObject({ ID: task.ID, DesiredState: 'shutdown', Status: { State: 'running' } });
      // The container runs on, its daemon gone.
      expect(processesNamed(token)).toBeGreaterThan(0);
      await window(2_000);
      expect((await tasksOf(manager, service.id)).map((t) => t.ID), 'no replacement task').toEqual([task.ID]);
      await service.remove();
    } finally {
      await nodeDaemon('start-node', 'worker2');
    }
    const t1 = performance.now();
    await until(async () => (await containerOn('flakehunt-worker2', task.Status.ContainerStatus!.ContainerID!)) === null, 30_000, 'the container gone once worker2 is back');
    figures.push(`dockerd back → the removed service's container gone: ${Math.round(performance.now() - t1)} ms`);
    expect(processesNamed(token)).toBe(0);
    await until(async () => ((await manager.getNode(task.NodeID!).inspect()) as SwarmNode).Status.State === 'ready', 30_000, 'worker2 ready again');
  }, 120_000);

  it('a dockerd killed and started again before its node is marked down: the task ends Failed with a plain exit code (143), and only the node\'s new version tells', async () => {
    const service = await createRaw(manager, replicated(['sleep', '300'], 'flakehunt-worker1'));
    const task = await untilTaskIn(manager, service.id, ['running'], 30_000);
    const before = ((await manager.getNode(task.NodeID!).inspect()) as SwarmNode).Version.Index;
    await nodeDaemon('kill-node', 'worker1');
    await nodeDaemon('start-node', 'worker1');
    const ended = await untilTaskIn(manager, service.id, ['failed', 'complete', 'shutdown'], 30_000);
    expect(ended.Status).toMatchObject({ State: 'failed', ContainerStatus: { ExitCode: 143 } });
    const after = ((await manager.getNode(task.NodeID!).inspect()) as SwarmNode).Version.Index;
    expect(after).toBeGreaterThan(before);
  }, 90_000);
});

/** How many processes on this machine have `token` on their command line (containers' included). */
function processesNamed(token: string): number {
  let count = 0;
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(token)) count += 1;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
