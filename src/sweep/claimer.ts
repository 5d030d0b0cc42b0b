import type { SweepEvents } from '../core/events.js';
import type { IterationResult } from '../core/result.js';
import type { Executor } from '../executors/executor.js';
import { type Claim, claimIteration } from '../store/claims.js';
import { runName, type SweepLayout } from '../store/layout.js';
import type { CompromisedHandler } from '../store/locks.js';
import { readJsonIfExists } from '../store/read-json.js';
import { isDone } from './resume.js';
import type { SweepState } from './sweep-state.js';
import { readStopMarker } from './stop-marker.js';

export interface ClaimerDeps {
  layout: SweepLayout;
  sweepId: string;
  executor: Executor;
  events: SweepEvents;
  state: SweepState;
  force: boolean;
  invocationStart: number;
  onCompromised: CompromisedHandler;
}

/**
 * Claims iterations for this process among every process of the sweep: skips finished ones,
 * defers those a live process holds, takes over those of a dead one (removing its containers),
 * and notices a stop.json written by another process.
 */
export class Claimer {
  private readonly toldClaimedElsewhere = new Set<number>();

  constructor(private readonly deps: ClaimerDeps) {}

  /** The claim; 'done' when there is nothing to run; 'elsewhere' when a live process holds it. */
  async acquire(iteration: number): Promise<Claim | 'done' | 'elsewhere'> {
    const { deps } = this;
    if (await this.stoppedElsewhere()) return 'done';
    if (await this.isDone(iteration)) return 'done';
    const claim = await claimIteration(deps.layout, iteration, deps.onCompromised);
    if (claim === null) {
      if (!this.toldClaimedElsewhere.has(iteration)) deps.events.emit({ type: 'iteration-skipped', iteration, reason: 'claimed-elsewhere' });
      this.toldClaimedElsewhere.add(iteration);
      return 'elsewhere';
    }
    try {
      if (claim.tookOver) {
        const reaped = await deps.executor.reap({ sweepId: deps.sweepId, includeLiveOwners: false });
        deps.events.emit({ type: 'warning', message: `took over ${runName(iteration)} from a process that died${reaped.length > 0 ? `; removed its container(s) ${reaped.join(', ')}` : ''}` });
      }
      // Someone may have finished it between the check and the claim.
      if (!(await this.isDone(iteration))) return claim;
    } catch (error) {
      await claim.release();
      throw error;
    }
    await claim.release();
    return 'done';
  }

  /** Whether another process of the sweep stopped it (stop.json newer than this invocation); stops this one too. */
  async stoppedElsewhere(): Promise<boolean> {
    const marker = await readStopMarker(this.deps.layout, this.deps.invocationStart);
    if (marker === null) return false;
    this.deps.state.requestStop('limit', `another process of this sweep stopped it: ${marker.reason}`);
    return true;
  }

  /** Whether the iteration has a result that needs no re-run; `--force` only counts results of this invocation. */
  async isDone(iteration: number, honourForce = true): Promise<boolean> {
    const result = await readJsonIfExists<IterationResult>(this.deps.layout.resultJson(iteration)).catch(() => null);
    return honourForce ? isDone(result, this.deps.force, this.deps.invocationStart) : isDone(result, false, 0);
  }
}
