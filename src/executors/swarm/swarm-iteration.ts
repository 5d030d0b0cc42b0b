import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';

import type Docker from 'dockerode';

import { InfrastructureError } from '../../core/errors.js';
import { classifyDockerError } from '../docker/docker-errors.js';
import type { ExitInfo, RunningIteration } from '../executor.js';
import type { NodeDirectory } from './node-directory.js';
import { startFailure } from './swarm-errors.js';
import { type Staging, removeStaging, takeArtifacts } from './staging.js';
import { type NodePlacement, placementOf, type SwarmNode, type SwarmTask } from './swarm-types.js';
import type { TaskLogs } from './task-logs.js';
import { exitCodeOf, isTerminal, neverStarted, taskProblem } from './task-state.js';

function nodeLost(node: SwarmNode): string {
  return `its node ${placementOf(node).hostname} is ${node.Status.State}${node.Status.Message ? ` (${node.Status.Message})` : ''}`;
}

/** A node label no node has: a task constrained to it is never placed. */
const UNPLACEABLE_LABEL = 'node.labels.dev.flakehunt.never';
/** How long the manager may fail to answer before the run counts as lost. */
const MANAGER_SILENCE_MS = 30_000;
/** What stop() waits beyond the grace period: the agent takes about 1.2 s to begin stopping a task. */
const STOP_MARGIN_MS = 10_000;
/** How long cleanup() waits, beyond the grace period, for the node to confirm the container stopped. */
const REMOVAL_MARGIN_MS = 20_000;

export interface SwarmIterationOptions {
  stopGraceMs: number;
  startTimeoutMs: number;
  /** The image's name, for messages. */
  imageName: string;
}

/**
 * One iteration's service and its only task. The task's state is polled (the API has no task
 * events): every 100 ms at first, then less often the longer it runs (at most every second).
 */
export class SwarmIteration implements RunningIteration {
  readonly id: string;
  readonly exited: Promise<ExitInfo>;
  node: NodePlacement | null = null;
  private settle!: (exit: ExitInfo) => void;
  private settled = false;
  private task: SwarmTask | null = null;
  /** The node's version when the task was first seen running: a change means its engine re-registered. */
  private nodeVersion: number | null = null;
  private stopRequested = false;
  private serviceGone = false;
  private startWaiter: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private readonly started: Promise<void>;
  private removal: Promise<void> | null = null;
  private movedArtifacts: string | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly service: Docker.Service,
    private readonly staging: Staging,
    private readonly nodes: NodeDirectory,
    private readonly logs: TaskLogs,
    private readonly options: SwarmIterationOptions,
  ) {
    this.id = service.id.slice(0, 12);
    this.exited = new Promise((resolve) => {
      this.settle = (exit) => {
        if (this.settled) return;
        this.settled = true;
        resolve(exit);
      };
    });
    this.started = new Promise((resolve, reject) => {
      this.startWaiter = { resolve, reject };
    });
    this.started.catch(() => undefined);
  }

  get output(): Readable {
    return this.logs.output;
  }

  /** Follows the logs and watches the task; resolves once it runs (or ran), rejects if it never could. */
  async begin(): Promise<void> {
    try {
      await this.logs.start();
    } catch (error) {
      this.failStart(classifyDockerError(error, `follow the logs of service ${this.id}`));
    }
    void this.watch();
    await this.started;
  }

  private resolveStarted(): void {
    this.startWaiter?.resolve();
    this.startWaiter = null;
  }

  private failStart(error: Error): void {
    this.startWaiter?.reject(error);
    this.startWaiter = null;
  }

  private async watch(): Promise<void> {
    const created = Date.now();
    let runningSince: number | null = null;
    let silentSince: number | null = null;
    while (!this.settled) {
      let task: SwarmTask | null;
      let node: SwarmNode | undefined;
      try {
        task = await this.currentTask();
        node = task?.NodeID ? await this.nodes.get(task.NodeID) : undefined;
        silentSince = null;
      } catch (error) {
        silentSince ??= Date.now();
        if (Date.now() - silentSince > MANAGER_SILENCE_MS) return this.lose(`the swarm manager stopped answering (${(error as Error).message})`, false);
        await delay(1_000);
        continue;
      }
      if (this.settled) return;
      if (task === null) {
        if (this.serviceGone) return this.lose('its service or task was removed by someone else (flakehunt clean?)', false);
        if (Date.now() - created > this.options.startTimeoutMs) return this.lose(`the swarm made no task for it within ${this.options.startTimeoutMs / 1000} s`, false);
        await delay(100);
        continue;
      }
      this.task = task;
      if (node !== undefined && this.node === null) this.node = placementOf(node);
      if (isTerminal(task)) return this.ended(task);
      if (node !== undefined && node.Status.State !== 'ready') return this.lose(nodeLost(node), false);
      if (node === undefined && task.NodeID && (await this.nodes.get(task.NodeID, true).catch(() => null)) === undefined) {
        return this.lose(`its node ${task.NodeID} is no longer in the swarm`, false);
      }
      if (runningSince === null && task.Status.State === 'running') {
        runningSince = Date.now();
        this.nodeVersion = node?.Version.Index ?? null;
        this.resolveStarted();
      }
      if (runningSince === null && Date.now() - created > this.options.startTimeoutMs) {
        return this.lose(`its task stayed ${task.Status.State} for ${this.options.startTimeoutMs / 1000} s: ${taskProblem(task)}`, false);
      }
      if (runningSince !== null && !this.stopRequested && task.DesiredState !== 'running') {
        // The manager gives up a task when its node goes down: say so rather than guess.
        const now = task.NodeID ? await this.nodes.get(task.NodeID, true).catch(() => node) : node;
        if (now !== undefined && now.Status.State !== 'ready') return this.lose(nodeLost(now), false);
        return this.lose(`the swarm is shutting its task down (desired state ${task.DesiredState}): was its node drained?`, true);
      }
      await delay(runningSince === null ? 100 : Math.min(1_000, Math.max(100, (Date.now() - runningSince) / 20)));
    }
  }

  /**
   * The service's task, or null while it has none (or it is gone). Found by listing the service's
   * tasks until it exists, then read by its id: stop() adds a second task that never runs.
   */
  private async currentTask(): Promise<SwarmTask | null> {
    try {
      if (this.task !== null) return (await this.docker.getTask(this.task.ID).inspect()) as SwarmTask;
      const tasks = (await this.docker.listTasks({ filters: { service: [this.service.id] } })) as SwarmTask[];
      if (tasks.length > 1) throw new Error(`service ${this.id} has ${tasks.length} tasks: the swarm ran it again`);
      return tasks[0] ?? null;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      this.serviceGone = true;
      return null;
    }
  }

  private async ended(task: SwarmTask): Promise<void> {
    if (neverStarted(task)) {
      const error = startFailure(task, this.node, this.options.imageName);
      this.failStart(error);
      return this.lose(error.message, false);
    }
    this.resolveStarted();
    if (task.Status.State === 'shutdown' && !this.stopRequested) return this.lose(`the swarm shut its task down (${taskProblem(task)})`, true);
    if (this.nodeVersion !== null && task.NodeID) {
      // A daemon killed and started again before the manager marks its node down stops the
      // container and reports a plain exit (143 under init): only the node's re-registration tells.
      const node = await this.nodes.get(task.NodeID, true).catch(() => undefined);
      if (node !== undefined && node.Version.Index !== this.nodeVersion) {
        return this.lose(`the engine of node ${placementOf(node).hostname} re-registered with the manager while the task ran (its daemon restarted?): its exit code ${exitCodeOf(task)} says nothing about the tests`, true);
      }
    }
    await this.logs.finish(task.ID);
    this.settle({ exitCode: exitCodeOf(task), signal: null });
  }

  /** The run is lost: an infrastructure error. `readLogs`: its node still answers, so the log can be completed. */
  private async lose(reason: string, readLogs: boolean): Promise<void> {
    if (this.settled) return;
    this.failStart(new InfrastructureError(reason));
    if (readLogs && this.task !== null) await this.logs.finish(this.task.ID);
    else this.logs.abort();
    this.settle({ exitCode: null, signal: null, lost: reason });
  }

  async forensics(): Promise<string> {
    const task = await this.docker.getTask(this.task?.ID ?? '').inspect().catch(() => this.task) as SwarmTask | null;
    const container = task?.Status.ContainerStatus?.ContainerID ?? '';
    const where = this.node === null ? 'a node not known yet' : `node ${this.node.hostname} (${this.node.id})`;
    return [
      'no process list: a swarm task cannot be looked into through the manager (services have no exec), and flakehunt talks to the manager only.',
      task === null ? `service ${this.id} has no task yet` : `task ${task.ID} of service ${this.id}: ${task.Status.State} since ${task.Status.Timestamp ?? '?'}, on ${where}, container ${container.slice(0, 12) || 'none yet'}`,
      container === '' ? '' : `to look yourself, on that node: docker exec ${container.slice(0, 12)} python3 /flakehunt/plugin/flakehunt_forensics.py   (or: docker top ${container.slice(0, 12)})`,
    ].filter((line) => line !== '').join('\n').concat('\n');
  }

  async stop(graceMs: number): Promise<void> {
    if (this.settled) return;
    this.stopRequested = true;
    await this.replaceTask();
    // The swarm applies the grace period the service was created with (--grace), whatever graceMs says.
    const limit = Math.max(graceMs, this.options.stopGraceMs) + STOP_MARGIN_MS;
    await Promise.race([this.exited, delay(limit, undefined, { ref: false })]);
    if (!this.settled) await this.lose(`the swarm did not stop its task within ${limit / 1000} s`, false);
  }

  /**
   * Stops the task and keeps it readable: an update whose placement no node satisfies replaces it
   * with a task that stays pending forever, so the agent stops the container (SIGTERM, SIGKILL
   * after the StopGracePeriod) and the task stays in the service's history, shutdown, with its
   * exit code and log. Scaling to 0 stops it just as well, but the task, its container and log
   * are deleted within about a second; removing the service loses them at once.
   */
  private async replaceTask(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        const info = await this.service.inspect();
        const template = info.Spec.TaskTemplate as Docker.ContainerTaskSpec;
        const nowhere: Docker.ContainerTaskSpec = { ...template, Placement: { Constraints: [`${UNPLACEABLE_LABEL}==${info.ID}`] }, ForceUpdate: (template.ForceUpdate ?? 0) + 1 };
        await this.service.update({ ...info.Spec, TaskTemplate: nowhere, version: info.Version.Index });
        return;
      } catch (error) {
        const e = error as { statusCode?: number; message?: string };
        if (e.statusCode === 404) return;
        // "update out of sequence": the version moved meanwhile; read it again.
        if (!/out of sequence/i.test(e.message ?? '')) return;
      }
    }
  }

  async collectArtifacts(destDir: string): Promise<void> {
    this.movedArtifacts = await takeArtifacts(this.staging, this.movedArtifacts, destDir);
  }

  cleanup(): Promise<void> {
    this.removal ??= (async () => {
      this.stopRequested = true;
      this.logs.abort();
      try {
        await this.service.remove();
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw classifyDockerError(error, `remove service ${this.id}`);
      }
      this.settle({ exitCode: null, signal: null });
      await this.untilContainerStopped();
      await removeStaging(this.staging);
    })();
    return this.removal;
  }

  /**
   * After `service rm` the task stays readable (desired state remove) until its node has stopped
   * the container; the node removes the container right after. A node that is down does it when
   * it comes back.
   */
  private async untilContainerStopped(): Promise<void> {
    const id = this.task?.ID;
    if (id === undefined) return;
    const end = Date.now() + this.options.stopGraceMs + REMOVAL_MARGIN_MS;
    while (Date.now() < end) {
      try {
        const task = (await this.docker.getTask(id).inspect()) as SwarmTask;
        const node = task.NodeID ? await this.nodes.get(task.NodeID) : undefined;
        if (node !== undefined && node.Status.State !== 'ready') return;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return;
      }
      await delay(200);
    }
  }
}
