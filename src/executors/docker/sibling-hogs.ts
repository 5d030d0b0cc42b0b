import type Docker from 'dockerode';

import type { IterationSpec } from '../executor.js';

/** The label that marks a hog, so leftovers are recognised (they carry the iteration's other labels too). */
export const ROLE_LABEL = 'dev.flakehunt.role';

const CPU_HOG = ['sh', '-c', 'while :; do :; done'];
const IO_HOG = ['sh', '-c', 'while :; do dd if=/dev/zero of=/tmp/flakehunt-io-hog bs=1M count=64 conv=fsync 2>/dev/null; done'];

/**
 * Sibling containers that compete with the iteration: CPU hogs pinned to the iteration's CPU (its
 * cpuset), and disk writers. They run the iteration's own image (it is on the host, and has `sh`),
 * with no network, and carry its labels, so `flakehunt clean` and a later run reap them too.
 */
export class SiblingHogs {
  private readonly containers: Docker.Container[] = [];
  private removed: Promise<void> | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly spec: IterationSpec,
  ) {}

  /** Creates and starts the hogs; removes what it started if one fails. */
  async start(): Promise<void> {
    const runtime = this.spec.perturbation;
    const wanted = [
      ...Array.from({ length: runtime?.cpuHogs ?? 0 }, () => ({ role: 'cpu-hog', cmd: CPU_HOG })),
      ...Array.from({ length: runtime?.ioHogs ?? 0 }, () => ({ role: 'io-hog', cmd: IO_HOG })),
    ];
    try {
      for (const [index, hog] of wanted.entries()) {
        const container = await this.docker.createContainer({
          name: `${this.spec.name}-${hog.role}-${index + 1}`,
          Image: this.spec.image ?? undefined,
          Cmd: hog.cmd,
          Labels: { ...this.spec.labels, [ROLE_LABEL]: hog.role },
          HostConfig: {
            NetworkMode: 'none',
            CpusetCpus: hog.role === 'cpu-hog' && this.spec.resources.cpuset !== null ? this.spec.resources.cpuset : undefined,
            AutoRemove: false,
          },
        });
        this.containers.push(container);
        await container.start();
      }
    } catch (error) {
      await this.remove();
      throw error;
    }
  }

  /** Removes every hog. Idempotent. */
  remove(): Promise<void> {
    this.removed ??= Promise.all(
      this.containers.map((container) => container.remove({ force: true, v: true }).catch(() => undefined)),
    ).then(() => undefined);
    return this.removed;
  }
}
