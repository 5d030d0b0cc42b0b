import { existsSync } from 'node:fs';

import type Docker from 'dockerode';

import type { EnvironmentCheck } from '../executor.js';
import { describeDaemon } from './docker-errors.js';
import { checkNetworkPerturbation } from './net-perturbation.js';

interface DockerInfo {
  ServerVersion?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  CpuCfsQuota?: boolean;
  CPUSet?: boolean;
  MemoryLimit?: boolean;
  NCPU?: number;
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; Nodes?: number };
}

function isLocal(): boolean {
  const host = process.env.DOCKER_HOST;
  return host === undefined || host === '' || host.startsWith('unix://');
}

/** Whether a container can be frozen and thawed (the stall perturbation), tried on a short-lived one. */
async function canFreeze(docker: Docker, image: string): Promise<string | null> {
  let container: Docker.Container | null = null;
  try {
    container = await docker.createContainer({ Image: image, Cmd: ['sleep', '5'], HostConfig: { NetworkMode: 'none', AutoRemove: true }, Labels: { 'dev.flakehunt.role': 'doctor' } });
    await container.start();
    await container.pause();
    await container.unpause();
    return null;
  } catch (error) {
    return (error as { json?: { message?: string } }).json?.message ?? (error as Error).message;
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}

/** The Docker daemon and what flakehunt's perturbations need of it, checked for `flakehunt doctor`. */
export async function dockerChecks(docker: Docker, image: string | null): Promise<EnvironmentCheck[]> {
  const checks: EnvironmentCheck[] = [];
  let info: DockerInfo;
  let api = '?';
  try {
    info = (await docker.info()) as DockerInfo;
    api = ((await docker.version()) as { ApiVersion?: string }).ApiVersion ?? '?';
  } catch (error) {
    return [{
      name: 'docker daemon',
      status: 'fail',
      detail: `cannot reach it at ${describeDaemon(docker)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      fix: 'start it (sudo systemctl start docker, or sudo dockerd &; bin/setup-machine.sh does both), or set DOCKER_HOST to a running one',
    }];
  }
  checks.push({ name: 'docker daemon', status: 'ok', detail: `${info.ServerVersion ?? '?'} (API ${api}) at ${describeDaemon(docker)}, ${isLocal() ? 'on this machine' : 'remote'}, ${info.NCPU ?? '?'} CPUs` });
  checks.push(info.CpuCfsQuota
    ? { name: 'CPU quota (cpu:…)', status: 'ok', detail: `CFS bandwidth control, cgroup v${info.CgroupVersion ?? '?'} (${info.CgroupDriver ?? '?'})` }
    : { name: 'CPU quota (cpu:…)', status: 'warn', detail: 'the daemon reports no CFS quota support', fix: 'a kernel with CONFIG_CFS_BANDWIDTH, or drop cpu: perturbations' });
  checks.push(info.CPUSet
    ? { name: 'cpusets (hog:…)', status: 'ok', detail: 'containers can be pinned to a CPU with their hogs' }
    : { name: 'cpusets (hog:…)', status: 'warn', detail: 'the daemon reports no cpuset support', fix: 'hogs still compete, unpinned' });
  if (!info.MemoryLimit) checks.push({ name: 'memory limits (mem:…)', status: 'warn', detail: 'the daemon reports no memory limit support', fix: 'enable the memory cgroup (cgroup_enable=memory), or drop mem:' });
  if (isLocal() && info.CgroupVersion === '1' && !existsSync('/sys/fs/cgroup/freezer')) {
    checks.push({ name: 'freezer (stall:…)', status: 'warn', detail: 'cgroup v1 without the freezer controller mounted', fix: 'mount the freezer cgroup, or drop stall:' });
  }
  const network = await checkNetworkPerturbation();
  checks.push(network === null
    ? { name: 'network perturbation (delay:, loss:)', status: 'ok', detail: 'iptables NFQUEUE in each container\'s namespace, as root' }
    : { name: 'network perturbation (delay:, loss:)', status: 'warn', detail: network });
  const swarm = info.Swarm ?? {};
  checks.push(swarm.LocalNodeState === 'active'
    ? { name: 'swarm', status: 'ok', detail: `this daemon is a swarm ${swarm.ControlAvailable ? `manager of ${swarm.Nodes ?? '?'} node(s): --executor swarm can run here` : 'worker: run flakehunt on a manager for --executor swarm'}` }
    : { name: 'swarm', status: 'ok', detail: `not in a swarm (${swarm.LocalNodeState ?? 'inactive'}): --executor swarm needs a manager; single-host sweeps are unaffected` });
  if (image !== null) {
    try {
      const found = await docker.getImage(image).inspect();
      const user = found.Config?.User || 'root';
      checks.push({ name: `image ${image}`, status: 'ok', detail: `${found.Id.slice(7, 19)}, runs as ${user}` });
      const freeze = await canFreeze(docker, image);
      checks.push(freeze === null
        ? { name: 'freezer (stall:…)', status: 'ok', detail: 'a container was paused and thawed' }
        : { name: 'freezer (stall:…)', status: 'warn', detail: `pausing a container failed: ${freeze}`, fix: 'drop stall: perturbations' });
    } catch (error) {
      checks.push((error as { statusCode?: number }).statusCode === 404
        ? { name: `image ${image}`, status: 'fail', detail: 'not on this Docker host', fix: 'build or pull it first (for the demo: bash templates/image/build-pytest-image.sh)' }
        : { name: `image ${image}`, status: 'fail', detail: (error as Error).message });
    }
  }
  return checks;
}
