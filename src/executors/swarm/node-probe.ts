import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type Docker from 'dockerode';

import { iterationLabels } from '../labels.js';
import type { ProcessIdentity } from '../../store/process-identity.js';
import { placementOf, type SwarmNode, type SwarmTask } from './swarm-types.js';
import { isTerminal, neverStarted, taskProblem } from './task-state.js';

const PROBE_TIMEOUT_MS = 60_000;
const PROBE_MOUNT = '/flakehunt-probe';

export interface ProbeTarget {
  /** The image by id, as the iterations will run it. */
  image: string;
  imageName: string;
  /** A folder every node must see at the same path (the sweep folder, or its nearest existing parent). */
  sharedDir: string;
  owner: ProcessIdentity;
}

/**
 * Runs a tiny task on each node (in parallel): the image by id, the shared folder mounted, and a
 * shell writing a token into a file named after the node. The manager only learns whether a node
 * has an image by trying, and only a file that arrives here shows the node sees the same folder
 * (not just one at the same path). Returns one line per node that failed, naming it.
 */
export async function probeNodes(docker: Docker, nodes: SwarmNode[], target: ProbeTarget): Promise<string[]> {
  const parent = nearestExisting(target.sharedDir);
  const dir = await mkdtemp(path.join(parent, '.flakehunt-probe-'));
  const run = randomBytes(3).toString('hex');
  try {
    const problems = await Promise.all(nodes.map((node, i) => probeNode(docker, node, `flakehunt-probe-${run}-${i}`, dir, target)));
    return problems.filter((p): p is string => p !== null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function probeNode(docker: Docker, node: SwarmNode, name: string, dir: string, target: ProbeTarget): Promise<string | null> {
  const who = `node ${placementOf(node).hostname}`;
  const token = randomBytes(8).toString('hex');
  let service: Docker.Service;
  try {
    service = await docker.createService({
      Name: name,
      Labels: iterationLabels('preflight', 0, target.sharedDir, target.owner),
      TaskTemplate: {
        ContainerSpec: {
          Image: target.image,
          Args: ['/bin/sh', '-c', `printf %s "$1" > "${PROBE_MOUNT}/$2"`, 'probe', token, node.ID],
          Mounts: [{ Type: 'bind', Source: dir, Target: PROBE_MOUNT }],
        },
        RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
        Placement: { Constraints: [`node.id==${node.ID}`] },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr' },
    });
  } catch (error) {
    return `${who}: the probe service could not be created: ${(error as Error).message}`;
  }
  try {
    const task = await untilEnded(docker, service.id);
    if (task === null) return `${who}: the probe task did not finish within ${PROBE_TIMEOUT_MS / 1000} s`;
    if (neverStarted(task)) {
      const why = taskProblem(task);
      if (/no such image/i.test(why)) return `${who} does not have the image ${target.imageName} as the manager has it (${target.image.slice(0, 19)}): load it there: docker save ${target.imageName} | docker -H <that node> load`;
      if (/bind source path does not exist/i.test(why)) return `${who} cannot see ${dir}: mount the shared file system at the same path on every node`;
      return `${who}: the probe task could not start: ${why}`;
    }
    if (task.Status.State !== 'complete') return `${who}: the probe task ended ${task.Status.State} (${taskProblem(task)}); it needs /bin/sh in the image`;
    const marker = await readFile(path.join(dir, node.ID), 'utf8').catch(() => null);
    if (marker !== token) return `${who} sees another folder at ${dir} (the file it wrote did not arrive here): mount the shared file system at the same path on every node`;
    return null;
  } finally {
    await service.remove().catch(() => undefined);
  }
}

async function untilEnded(docker: Docker, serviceId: string): Promise<SwarmTask | null> {
  const end = Date.now() + PROBE_TIMEOUT_MS;
  while (Date.now() < end) {
    const [task] = (await docker.listTasks({ filters: { service: [serviceId] } })) as SwarmTask[];
    if (task !== undefined && isTerminal(task)) return task;
    await delay(100);
  }
  return null;
}

function nearestExisting(dir: string): string {
  let at = path.resolve(dir);
  while (!existsSync(at)) at = path.dirname(at);
  return at;
}
