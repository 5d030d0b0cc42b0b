import type { StopKind, SweepEvents } from '../core/events.js';
import type { IterationResult } from '../core/result.js';

export type { StopKind };

export interface StopDecision {
  kind: StopKind;
  reason: string;
  /** `decided`: whether the answer is the hoped-for one (fixed, better). */
  good?: boolean;
}

/** What the parts of a running sweep share: whether it is stopping, and what it has recorded. */
export class SweepState {
  private decision: StopDecision | null = null;
  /** Aborted on the user's signal, or when a worker fails: in-flight iterations stop either way. */
  readonly halt = new AbortController();
  /** Iterations this process ran to a result. */
  ranHere = 0;
  /** Every result in the sweep folder, as of the last recording. */
  lastResults: IterationResult[] = [];

  constructor(private readonly events: SweepEvents) {}

  get stop(): StopDecision | null {
    return this.decision;
  }

  get stopping(): boolean {
    return this.decision !== null;
  }

  /** Stops handing out iterations; the first reason given is the one reported. */
  requestStop(kind: StopKind, reason: string, good?: boolean): void {
    if (this.decision !== null) return;
    this.decision = good === undefined ? { kind, reason } : { kind, reason, good };
    this.events.emit({ type: 'sweep-stopping', reason, kind });
  }
}
