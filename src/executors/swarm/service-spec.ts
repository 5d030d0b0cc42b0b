import { createHash } from 'node:crypto';

import type Docker from 'dockerode';

import { UsageError } from '../../core/errors.js';
import { containerCreateOptions } from '../docker/container-spec.js';
import type { IterationSpec } from '../executor.js';
import { ITERATION_LABEL, SWEEP_LABEL } from '../labels.js';
import type { Staging } from './staging.js';

/**
 * Labels of the task containers on the nodes. Not flakehunt's own labels (those are on the
 * service, where the manager finds them): `flakehunt clean` of the docker executor on a node must
 * not take a swarm task's container for its own and remove it under the swarm.
 */
export const TASK_SWEEP_LABEL = 'dev.flakehunt.swarm.sweep';
const TASK_ITERATION_LABEL = 'dev.flakehunt.swarm.iteration';

export interface ServiceSpecInputs {
  /** The image by id (sha256:…): a node then never tries to pull it, and every node runs the same one. */
  image: string;
  constraints: string[];
  /** SIGTERM → SIGKILL delay when the swarm stops the task; fixed when the service is created. */
  stopGraceMs: number;
  staging: Staging;
  hostEnv: NodeJS.ProcessEnv;
  /** false for --dry-run and logs: secret values masked, --env-pass values not shown. */
  revealEnv: boolean;
}

/**
 * The service of one iteration. The command, environment, working directory, init, ulimits and
 * limits come from the docker executor's own container options, so both run the same container.
 *
 * The shape avoids Swarm's traps on Docker 20.10 (pinned by test/swarm/swarm-traps.test.ts): a
 * replicated service of one replica with restart condition none runs its task once and never
 * replaces it (not even when its node goes down); a replicated-job is re-created forever when it
 * fails, and its containers survive `service rm`. Endpoint mode dnsrr and no published ports: a
 * virtual IP needs IPVS, which nodes may lack.
 */
export function serviceSpec(spec: IterationSpec, inputs: ServiceSpecInputs): Docker.CreateServiceOptions {
  const container = containerCreateOptions(spec, inputs.hostEnv, inputs.revealEnv);
  const host = container.HostConfig ?? {};
  if (host.DeviceRequests !== undefined) {
    throw new UsageError('--gpus is not available with --executor swarm: Swarm services have no device requests. Advertise the GPUs as generic resources (node-generic-resources in each node\'s daemon.json) and pick their nodes with --constraint');
  }
  const network = spec.resources.network;
  if (network === 'none') throw new UsageError('--network none is not available with --executor swarm (Docker 20.10 has no such swarm network): use host, bridge or an overlay network');
  const mounts: Docker.MountSettings[] = [
    ...spec.mounts.map((m) => ({ Type: 'bind' as const, Source: m.host, Target: m.container, ReadOnly: m.readOnly })),
    ...Object.entries(inputs.staging.files).map(([target, copy]) => ({ Type: 'bind' as const, Source: copy, Target: target, ReadOnly: true })),
    { Type: 'bind', Source: inputs.staging.artifacts, Target: spec.artifactsDir },
  ];
  // A service has no ShmSize: a tmpfs over /dev/shm replaces the one Docker would mount.
  if (spec.resources.shmBytes !== null) {
    mounts.push({ Type: 'tmpfs', Source: '', Target: '/dev/shm', TmpfsOptions: { SizeBytes: spec.resources.shmBytes, Mode: 0o1777 } });
  }
  const limits: Docker.ResourceLimits = {};
  if (host.NanoCpus !== undefined) limits.NanoCPUs = host.NanoCpus;
  if (host.Memory !== undefined) limits.MemoryBytes = host.Memory;
  return {
    Name: serviceName(spec.name),
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: inputs.image,
        Args: container.Cmd as string[],
        Env: container.Env,
        Dir: container.WorkingDir,
        Labels: { [TASK_SWEEP_LABEL]: spec.labels[SWEEP_LABEL] ?? spec.sweepId, [TASK_ITERATION_LABEL]: spec.labels[ITERATION_LABEL] ?? String(spec.iteration) },
        Init: host.Init ?? false,
        TTY: false,
        Mounts: mounts,
        Ulimits: host.Ulimits,
        StopGracePeriod: inputs.stopGraceMs * 1e6,
      },
      Resources: { Limits: limits },
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      Placement: { Constraints: inputs.constraints },
      Networks: network === null ? undefined : [{ Target: network }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}

/** A valid service name (a DNS label: letters, digits, - and _ inside, at most 63) for an iteration's name. */
export function serviceName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '') || 'flakehunt';
  if (clean.length <= 63) return clean;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 10);
  return `${clean.slice(0, 52).replace(/[-_]+$/, '')}-${hash}`;
}
