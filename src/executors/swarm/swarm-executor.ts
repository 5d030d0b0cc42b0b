import type Docker from 'dockerode';

import { EnvironmentError, UsageError } from '../../core/errors.js';
import { currentProcess, isOwnerAlive, sameProcess } from '../../store/process-identity.js';
import { daemonUnreachable, describeDaemon } from '../docker/docker-errors.js';
import { dockerChecks } from '../docker/docker-doctor.js';
import { loadDockerode } from '../docker/load-dockerode.js';
import { type EnvironmentCheck, type Executor, type IterationSpec, type PreparedIteration, preparedIteration, type ReapFilter, type RunningIteration } from '../executor.js';
import { DIR_LABEL, ownerOfLabels, SWEEP_LABEL, TOOL_LABEL } from '../labels.js';
import { type Constraint, nodeMatches, parseConstraint } from './constraints.js';
import { NodeDirectory } from './node-directory.js';
import { probeNodes } from './node-probe.js';
import { serviceSpec, serviceName } from './service-spec.js';
import { createStaging, removeStaging, stagingFor, stagingIn } from './staging.js';
import { notAManager, serviceCreateError } from './swarm-errors.js';
import { SwarmIteration } from './swarm-iteration.js';
import { placementOf, type SwarmNode } from './swarm-types.js';
import { TaskLogs } from './task-logs.js';

export interface SwarmExecutorOptions {
  /** A client of a swarm manager (default: DOCKER_HOST or the local socket). */
  docker?: Docker;
  /** `--constraint`, repeatable: the nodes iterations may run on, in `docker service create --constraint` syntax. */
  constraints?: string[];
  /** `--grace`: the swarm stops a task with SIGTERM, then SIGKILL after this; fixed when its service is created. */
  stopGraceMs?: number;
  /** The sweep folder: preflight checks that every eligible node sees it at the same path. Null: no check. */
  sharedDir?: string | null;
  /** How long a task may take to be scheduled and start running. */
  startTimeoutMs?: number;
}

interface ResolvedImage {
  name: string;
  id: string;
  env: string[];
}

/**
 * Runs each iteration as a Swarm service of one task, placed by the swarm (any node, or those
 * `--constraint` selects), through the API of one manager. Its files (artifacts, the plugin) sit
 * in the sweep folder, which every node must mount at the same path; its console streams back
 * through the logs API. See service-spec.ts for the service shape and why.
 */
export class SwarmExecutor implements Executor {
  readonly kind = 'swarm' as const;
  private readonly docker: Docker;
  private readonly constraints: Constraint[];
  private readonly stopGraceMs: number;
  private readonly sharedDir: string | null;
  private readonly startTimeoutMs: number;
  private readonly nodes: NodeDirectory;
  private image: ResolvedImage | null = null;

  constructor(options: SwarmExecutorOptions = {}) {
    this.docker = options.docker ?? new (loadDockerode())();
    this.constraints = (options.constraints ?? []).map(parseConstraint);
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    this.sharedDir = options.sharedDir ?? null;
    this.startTimeoutMs = options.startTimeoutMs ?? 120_000;
    this.nodes = new NodeDirectory(this.docker);
  }

  /** Checks that a swarm manager answers; EnvironmentError naming where it looked otherwise. */
  async ping(): Promise<void> {
    let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    try {
      info = await this.docker.info();
    } catch (error) {
      throw daemonUnreachable(error as Error, this.docker);
    }
    if (info.Swarm?.LocalNodeState !== 'active' || info.Swarm.ControlAvailable !== true) throw notAManager(info, this.docker, describeDaemon);
  }

  /**
   * A manager answers; the image is on it (its id is what every node must have); some node may
   * take the iterations; and every such node has that image and sees the sweep folder, which a
   * probe task per node shows. Names every node that fails.
   */
  async preflight(image: string | null): Promise<{ imageId: string | null }> {
    if (image === null) throw new UsageError('--image is required with the swarm executor: name the image to test, e.g. -i dynamo:latest-dev');
    await this.ping();
    const resolved = await this.resolveImage(image);
    const all = await this.nodes.all();
    const eligible = all.filter((n) => n.Status.State === 'ready' && n.Spec.Availability === 'active' && nodeMatches(this.constraints, n));
    if (eligible.length === 0) {
      const nodes = all.map((n) => `${placementOf(n).hostname} (${n.Status.State}, ${n.Spec.Availability ?? '?'})`).join(', ');
      const wanted = this.constraints.length === 0 ? '' : ` matching ${this.constraints.map((c) => c.text).join(' and ')}`;
      throw new EnvironmentError(`no ready, active swarm node${wanted} can take the iterations; the nodes: ${nodes}`);
    }
    if (this.sharedDir !== null) {
      const problems = await probeNodes(this.docker, eligible, { image: resolved.id, imageName: image, sharedDir: this.sharedDir, owner: currentProcess() });
      if (problems.length > 0) throw new EnvironmentError(`swarm preflight: ${problems.join('; ')}`);
    }
    return { imageId: resolved.id };
  }

  /** The manager's daemon as the Docker checks see it, and whether it can run a sweep. */
  async checkEnvironment(image: string | null): Promise<EnvironmentCheck[]> {
    const checks = await dockerChecks(this.docker, image);
    try {
      await this.ping();
      const nodes = await this.nodes.all();
      const eligible = nodes.filter((n) => n.Status.State === 'ready' && n.Spec.Availability === 'active' && nodeMatches(this.constraints, n));
      checks.push(eligible.length > 0
        ? { name: 'swarm nodes', status: 'ok', detail: `${eligible.length} of ${nodes.length} node(s) ready to take iterations: ${eligible.map((n) => placementOf(n).hostname).join(', ')}` }
        : { name: 'swarm nodes', status: 'fail', detail: 'no ready, active node can take the iterations', fix: 'check docker node ls on the manager' });
    } catch (error) {
      checks.push({ name: 'swarm manager', status: 'fail', detail: (error as Error).message });
    }
    return checks;
  }

  /** The service create spec of an iteration as --dry-run shows it: secrets masked, nothing touched. */
  describe(spec: IterationSpec): Docker.CreateServiceOptions {
    const name = serviceName(spec.name);
    return serviceSpec(spec, {
      image: this.image?.id ?? spec.image ?? '',
      constraints: this.constraints.map((c) => c.text),
      stopGraceMs: this.stopGraceMs,
      staging: stagingFor(spec, name),
      hostEnv: process.env,
      revealEnv: false,
    });
  }

  async start(spec: IterationSpec): Promise<RunningIteration> {
    return (await this.prepare(spec)).start();
  }

  /** Copies the iteration's files to the shared folder; the service is created only by start(). */
  async prepare(spec: IterationSpec): Promise<PreparedIteration> {
    if (spec.image === null) throw new UsageError('the swarm executor needs an image');
    const image = await this.resolveImage(spec.image);
    const name = serviceName(spec.name);
    const staging = stagingFor(spec, name);
    const options = serviceSpec(this.withImagePythonPath(spec, image), {
      image: image.id,
      constraints: this.constraints.map((c) => c.text),
      stopGraceMs: this.stopGraceMs,
      staging,
      hostEnv: process.env,
      revealEnv: true,
    });
    await createStaging(staging, spec.inject);
    return preparedIteration(`service ${name}`, async () => {
      let service: Docker.Service;
      try {
        service = await this.docker.createService(options);
      } catch (error) {
        await removeStaging(staging);
        throw serviceCreateError(error, name);
      }
      const iteration = new SwarmIteration(this.docker, this.docker.getService(service.id), staging, this.nodes, new TaskLogs(this.docker, service.id), {
        stopGraceMs: this.stopGraceMs,
        startTimeoutMs: this.startTimeoutMs,
        imageName: image.name,
      });
      try {
        await iteration.begin();
      } catch (error) {
        await iteration.cleanup().catch(() => undefined);
        throw error;
      }
      return iteration;
    }, () => removeStaging(staging));
  }

  /** Removes services (and their files) of dead flakehunt processes, found by label across the swarm. */
  async reap(filter: ReapFilter): Promise<string[]> {
    const label = filter.sweepId === null ? `${TOOL_LABEL}=1` : `${SWEEP_LABEL}=${filter.sweepId}`;
    let services: Docker.Service[];
    try {
      services = (await this.docker.listServices({ filters: { label: [label] } })) as unknown as Docker.Service[];
    } catch (error) {
      throw daemonUnreachable(error as Error, this.docker);
    }
    const removed: string[] = [];
    for (const info of services as unknown as Array<{ ID: string; Spec?: { Name?: string; Labels?: Record<string, string> } }>) {
      const labels = info.Spec?.Labels;
      const owner = ownerOfLabels(labels);
      if (filter.onlyOwner !== undefined && (owner === null || !sameProcess(owner, filter.onlyOwner))) continue;
      if (!filter.includeLiveOwners && (owner === null || isOwnerAlive(owner) !== false)) continue;
      try {
        await this.docker.getService(info.ID).remove();
        removed.push(info.ID.slice(0, 12));
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
      const sweepDir = labels?.[DIR_LABEL];
      if (sweepDir !== undefined && info.Spec?.Name !== undefined) await removeStaging(stagingIn(sweepDir, info.Spec.Name)).catch(() => undefined);
    }
    return removed;
  }

  /** The image on the manager: its id is what services name, so no node pulls and all run the same. */
  private async resolveImage(name: string): Promise<ResolvedImage> {
    if (this.image?.name === name) return this.image;
    try {
      const info = await this.docker.getImage(name).inspect();
      this.image = { name, id: info.Id, env: info.Config?.Env ?? [] };
      return this.image;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) {
        throw new EnvironmentError(`image ${name} is not on the swarm manager at ${describeDaemon(this.docker)}: build or load it there and on every node (docker save ${name} | docker -H <node> load); flakehunt reads its id on the manager`);
      }
      throw daemonUnreachable(error as Error, this.docker);
    }
  }

  /** Keeps the image's own PYTHONPATH after flakehunt's plugin folder instead of replacing it. */
  private withImagePythonPath(spec: IterationSpec, image: ResolvedImage): IterationSpec {
    const ours = spec.env.PYTHONPATH;
    const theirs = image.env.find((entry) => entry.startsWith('PYTHONPATH='));
    if (ours === undefined || theirs === undefined) return spec;
    return { ...spec, env: { ...spec.env, PYTHONPATH: `${ours}:${theirs.slice('PYTHONPATH='.length)}` } };
  }
}

