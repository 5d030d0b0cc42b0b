import type Docker from 'dockerode';

import { EnvironmentError, InfrastructureError, UsageError } from '../../core/errors.js';

/** Where this client connects, in words, for error messages. */
export function describeDaemon(docker: Docker): string {
  const modem = (docker as unknown as { modem?: { socketPath?: unknown; host?: string; port?: number; protocol?: string } }).modem;
  // Without options, dockerode's socketPath is a function that picks the socket when first used.
  const socket = typeof modem?.socketPath === 'string' ? modem.socketPath : null;
  const where = socket !== null ? `unix://${socket}` : modem?.host ? `${modem.protocol ?? 'http'}://${modem.host}:${modem.port ?? ''}` : 'unix:///var/run/docker.sock';
  return process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : where;
}

/** The daemon cannot be reached at all. */
export function daemonUnreachable(error: Error, docker: Docker): EnvironmentError {
  const code = (error as NodeJS.ErrnoException).code ?? error.message;
  return new EnvironmentError(
    `cannot reach the Docker daemon at ${describeDaemon(docker)} (${code}): start it (sudo systemctl start docker, or sudo dockerd &) or set DOCKER_HOST to a running one`,
  );
}

/** Which options a refusal is about, from Docker's own words; the usual suspects when it does not say. */
function hintFor(message: string): string {
  if (/\bCPUs?\b|NanoCPUs|cpu/i.test(message)) return 'check --cpus and the cpu: of --perturb or --matrix (at most the CPUs the Docker host has)';
  if (/device driver|\bgpus?\b/i.test(message)) return 'check --gpus: this Docker host has no GPU runtime for it (NVIDIA Container Toolkit)';
  if (/memory|swap/i.test(message)) return 'check --memory and the mem: of --perturb or --matrix';
  if (/mount|bind|volume/i.test(message)) return 'check --mount';
  if (/ulimit/i.test(message)) return 'check --ulimit';
  return 'check the container options (--mount, --ulimit, --memory, --cpus, --perturb, …)';
}

/** Sorts a Docker API error into bad input (400), a missing thing (404) or a passing infrastructure fault. */
export function classifyDockerError(error: unknown, doing: string): Error {
  const e = error as { statusCode?: number; json?: { message?: string }; message?: string; code?: string };
  const message = e.json?.message ?? e.message ?? String(error);
  if (e.statusCode === 400) return new UsageError(`Docker refused to ${doing}: ${message}; ${hintFor(message)}`);
  if (e.statusCode === 404 && /image/i.test(message)) return new EnvironmentError(`Docker could not ${doing}: ${message}`);
  // Options Docker only checks when the container starts: the same in every iteration, so no retry.
  if (e.statusCode === 404 && /network/i.test(message)) return new UsageError(`Docker could not ${doing}: ${message}; check --network (docker network ls lists them)`);
  if (/could not select device driver|invalid argument|operation not permitted.*(?:rlimit|ulimit)|setrlimit/i.test(message)) return new UsageError(`Docker could not ${doing}: ${message}; ${hintFor(message)}`);
  return new InfrastructureError(`Docker could not ${doing}: ${message}`);
}
