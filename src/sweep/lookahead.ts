import type { IterationConditions } from '../core/conditions.js';
import type { Executor, IterationSpec, PreparedIteration } from '../executors/executor.js';
import type { Claim } from '../store/claims.js';
import type { Claimer } from './claimer.js';
import type { SweepState } from './sweep-state.js';
import type { WorkerFeed } from './worker-feed.js';

/** An iteration this process has claimed, and maybe created the container for, but not yet run. */
export interface Lookahead {
  iteration: number;
  claim: Claim;
  /** Drawn when it was claimed: the same for its prepared container and its result. */
  conditions: IterationConditions;
  /** The created container; null when there is none (an error here shows again when the run starts it the usual way). */
  prepared: Promise<PreparedIteration | null>;
  /** On the spare list, so another worker may take it. */
  shared?: boolean;
}

/**
 * Claims each worker's next iteration and creates its container while the current one runs, so
 * the set-up costs no wall time. Prepared iterations go on a spare list: a worker left with
 * nothing to do runs one instead of letting it wait behind another worker's long run.
 */
export class LookaheadPool {
  /** Iterations prepared ahead by a busy worker, for a worker that has nothing left to do. */
  private readonly spare: Lookahead[] = [];
  /** Claims ahead in progress that will land on the spare list (settle when they have). */
  private readonly claimingAhead = new Set<Promise<void>>();

  constructor(
    private readonly claimer: Claimer,
    private readonly state: SweepState,
    private readonly executor: Executor,
    private readonly conditionsFor: (iteration: number) => IterationConditions,
    private readonly specOf: (iteration: number, conditions: IterationConditions) => IterationSpec,
  ) {}

  /** Claims the next iteration of this worker's feed, or takes over one another worker prepared but has not started. */
  async nextClaimed(feed: WorkerFeed, deferred: Set<number>): Promise<Lookahead | null> {
    const own = await this.claimFrom(() => feed.next(), deferred);
    if (own !== null) return own;
    // Another worker may be claiming one ahead right now: wait for it rather than quit and leave
    // it behind that worker's current run.
    for (;;) {
      const spare = this.spare.shift();
      if (spare !== undefined || this.claimingAhead.size === 0 || this.state.stopping) return spare ?? null;
      await Promise.race(this.claimingAhead);
    }
  }

  /** Claims and prepares the worker's next iteration, to run once its current one is done. */
  async prepareAhead(feed: WorkerFeed, deferred: Set<number>): Promise<Lookahead | null> {
    let landed!: () => void;
    const landing = new Promise<void>((resolve) => (landed = resolve));
    if (feed.shareable) this.claimingAhead.add(landing);
    try {
      const ahead = await this.claimFrom(() => feed.nextAhead(), deferred);
      if (ahead === null) return null;
      ahead.prepared = this.state.halt.signal.aborted
        ? Promise.resolve(null)
        : Promise.resolve().then(() => this.executor.prepare(this.specOf(ahead.iteration, ahead.conditions))).catch(() => null);
      if (feed.shareable) {
        ahead.shared = true;
        this.spare.push(ahead);
      }
      return ahead;
    } finally {
      this.claimingAhead.delete(landing);
      landed();
    }
  }

  /** Takes a prepared iteration off the spare list for the worker that prepared it; false when another worker took it. */
  takeBack(ahead: Lookahead): boolean {
    if (!ahead.shared) return true;
    const index = this.spare.indexOf(ahead);
    if (index === -1) return false;
    this.spare.splice(index, 1);
    return true;
  }

  /** Lets go of an iteration claimed (and maybe prepared) but never run: the sweep stopped. */
  async abandon(ahead: Lookahead): Promise<void> {
    await (await ahead.prepared)?.discard().catch(() => undefined);
    await ahead.claim.release();
  }

  private async claimFrom(take: () => number | null, deferred: Set<number>): Promise<Lookahead | null> {
    for (let iteration = take(); iteration !== null && !this.state.stopping; iteration = take()) {
      const claim = await this.claimer.acquire(iteration);
      if (claim === 'elsewhere') deferred.add(iteration);
      else if (claim !== 'done') return { iteration, claim, conditions: this.conditionsFor(iteration), prepared: Promise.resolve(null) };
    }
    return null;
  }
}
