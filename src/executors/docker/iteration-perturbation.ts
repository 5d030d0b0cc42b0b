import type Docker from 'dockerode';

import type { AppliedPerturbation } from '../../core/conditions.js';
import { SeededRandom } from '../../stats/random.js';
import type { IterationSpec } from '../executor.js';
import { ContainerGoneError, type NetworkPerturbation, startNetworkPerturbation } from './net-perturbation.js';
import { SiblingHogs } from './sibling-hogs.js';
import { Stalls } from './stalls.js';

/**
 * What the Docker executor applies to one iteration while it runs: sibling hogs from before its
 * start, stalls and network shaping from its start (the latter once it is attached, 0.1–0.25 s in:
 * pytest's start-up covers that); all of it ended (the container thawed first) when the iteration
 * exits, is stopped or is removed, whichever comes first.
 */
export class IterationPerturbation {
  private readonly hogs: SiblingHogs;
  private stalls: Stalls | null = null;
  private network: Promise<NetworkPerturbation | null> = Promise.resolve(null);
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
    const { stalls, net } = this.spec.perturbation ?? {};
    if (stalls !== undefined) {
      this.stalls = new Stalls(this.container, stalls);
      this.stalls.start();
    }
    if (net !== undefined) {
      this.network = this.container.inspect()
        .then((info) => startNetworkPerturbation({
          containerPid: info.State.Pid,
          delayMs: net.delayMs,
          jitterMs: net.jitterMs,
          lossPercent: net.lossPercent,
          // The delayer takes a number: the recorded seed's first draw.
          seed: new SeededRandom(net.seed).nextUint32(),
          mechanism: 'nfqueue',
        }))
        // Gone before it could be attached: a run that short saw no network to shape.
        .catch((error: unknown) => {
          if (error instanceof ContainerGoneError) return null;
          throw error;
        });
      this.network.catch(() => undefined);
    }
  }

  /** What it did so far: the freeze windows applied, when stalls were asked for. */
  applied(): AppliedPerturbation | null {
    return this.spec.perturbation?.stalls === undefined ? null : { stallWindows: this.stalls?.windows ?? 0 };
  }

  /** No more freezes, and the container runs (before stopping it, looking into it, or removing it). */
  async thaw(): Promise<void> {
    await this.stalls?.stop();
  }

  /** Ends everything it started. Idempotent. */
  end(): Promise<void> {
    this.ended ??= (async () => {
      await this.thaw();
      await Promise.all([this.hogs.remove(), this.network.then((network) => network?.stop(), () => undefined)]);
    })();
    return this.ended;
  }
}
