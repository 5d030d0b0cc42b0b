import type Docker from 'dockerode';

import { UsageError } from '../../core/errors.js';
import { publicEnv } from '../../core/secrets.js';
import type { IterationSpec } from '../executor.js';


/** `1g`, `512m`, `64k`, `1073741824` → bytes. */
export function parseByteSize(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!m) throw new UsageError(`${flag} ${JSON.stringify(value)} is not a size: write it like 512m, 2g or 1073741824`);
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** `nofile=1024:2048` or `core=-1` → a Docker ulimit. */
export function parseUlimit(value: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
  if (!m) throw new UsageError(`--ulimit ${JSON.stringify(value)} is not NAME=SOFT[:HARD]: write it like nofile=1024:2048`);
  return { Name: m[1]!, Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) };
}

/** `all`, `2`, or `device=0,1` → a Docker device request for NVIDIA GPUs. */
export function parseGpus(value: string): Docker.DeviceRequest {
  const base = { Driver: '', Capabilities: [['gpu']] };
  if (value === 'all') return { ...base, Count: -1 };
  if (/^\d+$/.test(value)) return { ...base, Count: Number(value) };
  const m = /^device=([\w,.-]+)$/.exec(value);
  if (m) return { ...base, DeviceIDs: m[1]!.split(',') };
  throw new UsageError(`--gpus ${JSON.stringify(value)} is not all, a count, or device=ID[,ID]`);
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
  if (r.shmSize !== null) hostConfig.ShmSize = parseByteSize(r.shmSize, '--shm-size');
  if (r.memory !== null) hostConfig.Memory = parseByteSize(r.memory, '--memory');
  if (r.cpus !== null) hostConfig.NanoCpus = Math.round(r.cpus * 1e9);
  if (r.ulimits.length > 0) hostConfig.Ulimits = r.ulimits.map(parseUlimit);
  if (r.gpus !== null) hostConfig.DeviceRequests = [parseGpus(r.gpus)];
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
