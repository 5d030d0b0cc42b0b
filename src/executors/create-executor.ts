import type { Executor } from './executor.js';
import type { SwarmExecutorOptions } from './swarm/swarm-executor.js';

export type ExecutorKind = 'docker' | 'local' | 'swarm';

/**
 * Loads only the executor asked for: dockerode (with its gRPC and SSH stacks) and execa take
 * about a quarter of a second to load, which every command that needs neither would pay.
 * `swarm` takes its options (--constraint, --grace, the sweep folder) from the caller.
 */
export async function createExecutor(kind: ExecutorKind, swarm: SwarmExecutorOptions = {}): Promise<Executor> {
  if (kind === 'docker') {
    const { DockerExecutor } = await import('./docker/docker-executor.js');
    return new DockerExecutor();
  }
  if (kind === 'swarm') {
    const { SwarmExecutor } = await import('./swarm/swarm-executor.js');
    return new SwarmExecutor(swarm);
  }
  const { LocalExecutor } = await import('./local/local-executor.js');
  return new LocalExecutor();
}
