import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';

import type Docker from 'dockerode';

import { type LogFrame, LogFrameParser } from '../../src/executors/swarm/log-frames.js';
import type { SwarmTask } from '../../src/executors/swarm/swarm-types.js';
import { until } from '../conformance/support/waiting.js';

/** Label of every service and container the raw Swarm tests make, so they can all be removed. */
export const TRAP_LABEL = 'dev.flakehunt.test.trap';

/** Creates a service straight through the API (not through flakehunt), labelled for removal. */
export async function createRaw(docker: Docker, spec: Docker.CreateServiceOptions): Promise<Docker.Service> {
  const task = spec.TaskTemplate as Docker.ContainerTaskSpec;
  const labelled: Docker.CreateServiceOptions = {
    ...spec,
    Name: `trap-${randomBytes(4).toString('hex')}`,
    Labels: { ...spec.Labels, [TRAP_LABEL]: '1' },
    TaskTemplate: { ...task, ContainerSpec: { ...task.ContainerSpec, Labels: { ...task.ContainerSpec?.Labels, [TRAP_LABEL]: '1' } } },
  };
  return docker.getService((await docker.createService(labelled)).id);
}

export async function tasksOf(docker: Docker, serviceId: string): Promise<SwarmTask[]> {
  return (await docker.listTasks({ filters: { service: [serviceId] } })) as SwarmTask[];
}

/** Awaits the service's first task in one of `states`, and returns it. */
export async function untilTaskIn(docker: Docker, serviceId: string, states: string[], ms: number): Promise<SwarmTask> {
  let found: SwarmTask | undefined;
  await until(async () => {
    found = (await tasksOf(docker, serviceId)).find((t) => states.includes(t.Status.State));
    return found !== undefined;
  }, ms, `a task of ${serviceId} in ${states.join('/')}`);
  return found!;
}

/** A service's logs as frames (follow=false), with the query as given. */
export async function logFrames(docker: Docker, serviceId: string, query: Record<string, string>): Promise<LogFrame[]> {
  const source = await openRawLogs(docker, serviceId, query);
  const frames: LogFrame[] = [];
  await pipeline(source, new LogFrameParser(), new Writable({ objectMode: true, write: (f: LogFrame, _e, done) => { frames.push(f); done(); } }));
  return frames;
}

export async function openRawLogs(docker: Docker, serviceId: string, query: Record<string, string>): Promise<Readable> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      // The query goes in `options`: docker-modem cuts the last character off a path that holds a "?" and no options.
      { path: `/services/${serviceId}/logs?`, options: { stdout: true, stderr: true, ...query }, method: 'GET', isStream: true, statusCodes: { 200: true, 404: 'no such service', 500: 'server error' } },
      (error: Error | null, stream: unknown) => (error ? reject(error) : resolve(stream as Readable)),
    );
  });
}

/** Removes every raw service, then every container they left on any node. */
export async function removeRaw(manager: Docker, nodes: Array<{ docker: Docker }>): Promise<void> {
  for (const s of await manager.listServices({ filters: { label: [TRAP_LABEL] } })) await manager.getService(s.ID).remove().catch(() => undefined);
  for (const { docker } of nodes) {
    const left = await docker.listContainers({ all: true, filters: { label: [TRAP_LABEL] } }).catch(() => []);
    for (const c of left) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
}
