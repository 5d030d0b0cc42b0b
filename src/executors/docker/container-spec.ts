import type Docker from 'dockerode';

import { publicEnv } from '../../core/secrets.js';
import type { GpuRequest, IterationSpec } from '../executor.js';

/** A Docker device request for NVIDIA GPUs. */
function deviceRequest(gpus: GpuRequest): Docker.DeviceRequest {
  const base = { Driver: '', Capabilities: [['gpu']] };
  if ('deviceIds' in gpus) return { ...base, DeviceIDs: gpus.deviceIds };
  return { ...base, Count: gpus.count === 'all' ? -1 : gpus.count };
}

/**
 * The container's create options. With `revealEnv` false (for --dry-run and logs), values of
 * secret-looking variables are masked and `--env-pass` variables are shown by name only.
 */
export function containerCreateOptions(
  spec: IterationSpec,
  hostEnv: NodeJS.ProcessEnv,
  revealEnv: boolean,
): Docker.ContainerCreateOptions {
  const env = Object.entries(revealEnv ? spec.env : publicEnv(spec.env)).map(([key, value]) => `${key}=${value}`);
  for (const name of spec.envPass) {
    const value = hostEnv[name];
    if (value === undefined) continue;
    env.push(revealEnv ? `${name}=${value}` : `${name}=<from host, not shown>`);
  }
  const r = spec.resources;
  const hostConfig: Docker.HostConfig = {
    Binds: spec.mounts.map((m) => `${m.host}:${m.container}${m.readOnly ? ':ro' : ''}`),
    AutoRemove: false,
    Init: r.init,
  };
  if (r.network !== null) hostConfig.NetworkMode = r.network;
  if (r.shmBytes !== null) hostConfig.ShmSize = r.shmBytes;
  if (r.memoryBytes !== null) hostConfig.Memory = r.memoryBytes;
  if (r.cpus !== null) hostConfig.NanoCpus = Math.round(r.cpus * 1e9);
  if (r.cpuset !== null) hostConfig.CpusetCpus = r.cpuset;
  if (r.ulimits.length > 0) hostConfig.Ulimits = r.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  if (r.gpus !== null) hostConfig.DeviceRequests = [deviceRequest(r.gpus)];
  return {
    name: spec.name,
    Image: spec.image ?? undefined,
    Cmd: spec.argv,
    Env: env,
    WorkingDir: spec.workdir ?? undefined,
    Labels: spec.labels,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    HostConfig: hostConfig,
  };
}
