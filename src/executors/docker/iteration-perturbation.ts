import type Docker from 'dockerode';

import type { IterationSpec } from '../executor.js';
import { SiblingHogs } from './sibling-hogs.js';
import { Stalls } from './stalls.js';

/**
 * What the Docker executor applies to one iteration while it runs: sibling hogs from before its
 * start, stalls from its start; all of it ended (the container thawed first) when the iteration
 * exits, is stopped or is removed, whichever comes first.
 */
export class IterationPerturbation {
  private readonly hogs: SiblingHogs;
  private stalls: Stalls | null = null;
  private ended: Promise<void> | null = null;

  constructor(
    docker: Docker,
    private readonly container: Docker.Container,
    private readonly spec: IterationSpec,
  ) {
    this.hogs = new SiblingHogs(docker, spec);
  }

  /** Before the container starts: the competition is already there when the tests begin. */
  async beforeStart(): Promise<void> {
    await this.hogs.start();
  }

  afterStart(): void {
    const stalls = this.spec.perturbation?.stalls;
    if (stalls !== undefined) {
      this.stalls = new Stalls(this.container, stalls);
      this.stalls.start();
    }
  }

  /** No more freezes, and the container runs (before stopping it, looking into it, or removing it). */
  async thaw(): Promise<void> {
    await this.stalls?.stop();
  }

  /** Ends everything it started. Idempotent. */
  end(): Promise<void> {
    this.ended ??= (async () => {
      await this.thaw();
      await this.hogs.remove();
    })();
    return this.ended;
  }
}
