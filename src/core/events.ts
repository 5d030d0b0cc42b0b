import type { IterationResult, KilledBy } from './result.js';

/** Why a sweep stopped before its range was done. The CLI maps each to an exit code. */
export type StopKind = 'environment' | 'collection' | 'limit' | 'reproduced' | 'budget' | 'decided' | 'interrupted' | 'failed';

/** Everything a sweep reports while it runs; reporters (the progress reporter in ui/) subscribe to these. */
export type SweepEvent =
  | { type: 'sweep-started'; dir: string; sweepId: string; planned: number[]; alreadyFinished: number; jobs: number; at: number }
  | { type: 'iteration-skipped'; iteration: number; reason: 'finished' | 'claimed-elsewhere' }
  | { type: 'iteration-started'; iteration: number; attempt: number; runner: string; at: number }
  | { type: 'iteration-killed'; iteration: number; reason: Exclude<KilledBy, null>; lastLine: string | null }
  | { type: 'iteration-retry'; iteration: number; error: string; delayMs: number; attemptsLeft: number }
  | { type: 'iteration-finished'; iteration: number; result: IterationResult; sweepResults: IterationResult[] }
  | { type: 'sweep-stopping'; reason: string; kind: StopKind }
  | { type: 'warning'; message: string }
  | { type: 'sweep-finished'; results: IterationResult[]; ranHere: number; stopReason: string | null };

export type SweepListener = (event: SweepEvent) => void;

/** A tiny typed event bus. A listener that throws is isolated: the sweep never fails because a reporter did. */
export class SweepEvents {
  private readonly listeners: SweepListener[] = [];

  subscribe(listener: SweepListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index !== -1) this.listeners.splice(index, 1);
    };
  }

  emit(event: SweepEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`a sweep reporter failed: ${(error as Error).message}`);
      }
    }
  }
}
