import type Docker from 'dockerode';

import { EnvironmentError, InfrastructureError, UsageError } from '../../core/errors.js';
import { classifyDockerError } from '../docker/docker-errors.js';
import type { NodePlacement, SwarmTask } from './swarm-types.js';
import { taskProblem } from './task-state.js';

/** Why a task never ran, as the error start() throws: what the user must fix, or a passing fault. */
export function startFailure(task: SwarmTask, node: NodePlacement | null, image: string): Error {
  const why = taskProblem(task);
  const where = node === null ? 'a node' : `node ${node.hostname}`;
  if (/no such image/i.test(why)) {
    return new EnvironmentError(`${where} does not have the image ${image} (${why}): load the manager's image there: docker save ${image} | docker -H <that node> load`);
  }
  if (/bind source path does not exist/i.test(why)) {
    return new EnvironmentError(`${where} cannot see a folder the task mounts (${why}): every --mount folder and the sweep folder must be at the same path on every node`);
  }
  if (/is invalid|needs to be an absolute path/i.test(why)) return new UsageError(`the swarm refused the task on ${where}: ${why}`);
  return new InfrastructureError(`the task could not start on ${where}: ${why}`);
}

/** A refused service create: bad options (a network that is not a swarm network, …) or a passing fault. */
export function serviceCreateError(error: unknown, name: string): Error {
  const e = error as { statusCode?: number; json?: { message?: string }; message?: string };
  const message = e.json?.message ?? e.message ?? String(error);
  if (e.statusCode === 404 && /network/i.test(message)) return new UsageError(`the swarm refused service ${name}: ${message}; --network must name a swarm network (host, bridge or an overlay network)`);
  return classifyDockerError(error, `create service ${name}`);
}

/** The Docker engine answers but is no swarm manager. */
export function notAManager(info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }, docker: Docker, where: (d: Docker) => string): EnvironmentError {
  const state = info.Swarm?.LocalNodeState ?? 'inactive';
  const role = state === 'active' ? 'a swarm worker, not a manager' : `not in a swarm (swarm: ${state})`;
  return new EnvironmentError(`the Docker engine at ${where(docker)} is ${role}: run flakehunt on a swarm manager, or set DOCKER_HOST to one`);
}
