import { readFileSync } from 'node:fs';
import path from 'node:path';

import Docker from 'dockerode';
import { execa } from 'execa';

import { TASK_SWEEP_LABEL } from '../../src/executors/swarm/service-spec.js';
import { SWEEP_LABEL } from '../../src/executors/labels.js';

/** What `bin/test-swarm.sh up` wrote: the manager's socket and every node. */
export interface TestSwarm {
  manager: string;
  image: string;
  nodes: Array<{ name: string; hostname: string; socket: string; address: string }>;
}

export const SWARM_SCRIPT = path.resolve(import.meta.dirname, '../../bin/test-swarm.sh');
const DESCRIPTION = '/run/flakehunt-swarm/swarm.json';
const READY_WAIT_MS = 60_000;

/** CI=true, CI=1…: set by every CI service; CI=false or CI=0 (or empty) counts as unset. */
const inCi = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/**
 * The test swarm, when one is up and answers; null (skip) when not, but under CI an error: there
 * the swarm tests must run (npm run test:all brings the swarm up with bin/test-swarm.sh run).
 */
export async function requireSwarm(): Promise<TestSwarm | null> {
  let problem: string;
  try {
    const swarm = JSON.parse(readFileSync(DESCRIPTION, 'utf8')) as TestSwarm;
    // A node a fault test restarted may still be rejoining.
    const end = Date.now() + READY_WAIT_MS;
    for (;;) {
      const nodes = await managerOf(swarm).listNodes();
      const ready = nodes.filter((n: { Status: { State: string } }) => n.Status.State === 'ready').length;
      if (ready === swarm.nodes.length) return swarm;
      problem = `only ${ready} of the test swarm's ${swarm.nodes.length} nodes are ready`;
      if (Date.now() > end) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    problem = `no test swarm is up (${(error as Error).message})`;
  }
  if (inCi) throw new Error(`${problem}: start it with bash bin/test-swarm.sh up (npm run test:all does)`);
  console.warn(`[swarm tests] SKIPPED: ${problem}; start one with: sudo bash bin/test-swarm.sh up`);
  return null;
}

function client(socket: string): Docker {
  return new Docker({ socketPath: socket.replace(/^unix:\/\//, '') });
}

export function managerOf(swarm: TestSwarm): Docker {
  return client(swarm.manager);
}

export function nodeClients(swarm: TestSwarm): Array<{ hostname: string; docker: Docker }> {
  return swarm.nodes.map((n) => ({ hostname: n.hostname, docker: client(n.socket) }));
}

/** SIGKILLs a node's dockerd (its containers keep running), or starts it again in the same namespaces. */
export async function nodeDaemon(action: 'kill-node' | 'start-node', node: string): Promise<void> {
  await execa('bash', [SWARM_SCRIPT, action, node]);
}

/** flakehunt's services of a sweep on the manager, and its task containers (any state) on every node. */
export async function swarmLeftovers(swarm: TestSwarm, sweepId: string): Promise<string[]> {
  const found: string[] = [];
  const services = await managerOf(swarm).listServices({ filters: { label: [`${SWEEP_LABEL}=${sweepId}`] } });
  for (const s of services) found.push(`service ${s.ID.slice(0, 12)} (${s.Spec?.Name})`);
  for (const { hostname, docker } of nodeClients(swarm)) {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${TASK_SWEEP_LABEL}=${sweepId}`] } });
    for (const c of containers) found.push(`container ${c.Id.slice(0, 12)} (${c.State}) on ${hostname}`);
  }
  return found;
}

/** Whether a container of the service (id or its first 12 characters) runs on any node. */
export async function serviceContainerRuns(swarm: TestSwarm, serviceId: string): Promise<boolean> {
  for (const { docker } of nodeClients(swarm)) {
    const containers = await docker.listContainers({ filters: { label: [TASK_SWEEP_LABEL] } });
    if (containers.some((c) => (c.Labels['com.docker.swarm.service.id'] ?? '').startsWith(serviceId))) return true;
  }
  return false;
}
