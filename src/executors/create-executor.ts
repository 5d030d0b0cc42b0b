import type { Executor } from './executor.js';

export type ExecutorKind = 'docker' | 'local';

/**
 * Loads only the executor asked for: dockerode (with its gRPC and SSH stacks) and execa take
 * about a quarter of a second to load, which every command that needs neither would pay.
 */
export async function createExecutor(kind: ExecutorKind): Promise<Executor> {
  if (kind === 'docker') {
    const { DockerExecutor } = await import('./docker/docker-executor.js');
    return new DockerExecutor();
  }
  const { LocalExecutor } = await import('./local/local-executor.js');
  return new LocalExecutor();
}
