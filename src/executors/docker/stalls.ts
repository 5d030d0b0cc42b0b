import { SeededRandom } from '../../stats/random.js';

/** What stalls need of a container: dockerode's `Container` has it. */
export interface Freezable {
  pause(): Promise<unknown>;
  unpause(): Promise<unknown>;
  inspect(): Promise<{ State: { Running: boolean } }>;
}

/**
 * Freezes the whole container for short windows at random moments (the Docker API's pause uses
 * the cgroup freezer): the closest a container runner gets to rr's starvation windows and to a
 * CI machine's noisy neighbours. Gaps between windows are exponential with mean `everyMs`, window
 * lengths uniform in [minMs, maxMs], both drawn from the recorded seed.
 */
export class Stalls {
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private stopped = false;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly random: SeededRandom;
  /** Windows applied so far, for the record and for tests. */
  windows = 0;

  constructor(
    private readonly container: Freezable,
    private readonly settings: { minMs: number; maxMs: number; everyMs: number; seed: string },
  ) {
    this.random = new SeededRandom(settings.seed);
  }

  start(): void {
    this.schedule(() => this.freeze(), this.gap());
  }

  /** Stops the windows and thaws the container if it is frozen now. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.busy.catch(() => undefined);
    if (this.paused) await this.thaw();
  }

  private gap(): number {
    return -Math.log(1 - this.random.nextFloat()) * this.settings.everyMs;
  }

  private schedule(step: () => Promise<void>, ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.busy = step();
    }, ms);
  }

  private async freeze(): Promise<void> {
    if (this.stopped) return;
    const { minMs, maxMs } = this.settings;
    const length = minMs + (maxMs - minMs) * this.random.nextFloat();
    try {
      await this.container.pause();
    } catch {
      // Exited (or exiting): nothing left to freeze. Still running: the freezer gave up on a busy
      // cgroup (runc's "unable to freeze" under load), so the next window is tried, not all of them dropped.
      if (await this.stillRuns()) this.schedule(() => this.freeze(), this.gap());
      else this.stopped = true;
      return;
    }
    this.paused = true;
    this.windows += 1;
    this.schedule(() => this.thawThenNext(), length);
  }

  private async stillRuns(): Promise<boolean> {
    try {
      return (await this.container.inspect()).State.Running;
    } catch {
      return false;
    }
  }

  private async thawThenNext(): Promise<void> {
    await this.thaw();
    this.schedule(() => this.freeze(), this.gap());
  }

  private async thaw(): Promise<void> {
    try {
      await this.container.unpause();
    } catch {
      // Gone already.
    }
    this.paused = false;
  }
}
