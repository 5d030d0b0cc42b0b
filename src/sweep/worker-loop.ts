import type { IterationPipeline } from './iteration-pipeline.js';
import type { Lookahead, LookaheadPool } from './lookahead.js';
import type { SweepState } from './sweep-state.js';
import type { WorkQueue } from './work-queue.js';
import { WorkerFeed } from './worker-feed.js';

/**
 * One worker: runs iterations one at a time from the queue. While one runs, the next is claimed and
 * prepared; the next starts as soon as the slot is free, its predecessor's recording going on
 * alongside. A worker's failure stops the others (their iterations end as interrupted) and is
 * rethrown once this worker has let go of everything it holds.
 */
export async function runWorker(
  queue: WorkQueue,
  chunked: boolean,
  pool: LookaheadPool,
  pipeline: IterationPipeline,
  state: SweepState,
  deferred: Set<number>,
): Promise<void> {
  const feed = new WorkerFeed(queue, chunked);
  let current: Lookahead | null = null;
  let following: Promise<Lookahead | null> | null = null;
  /** The previous iteration's recording, which may still be under way while the next one runs. */
  let recording: Promise<void> | null = null;
  try {
    current = await pool.nextClaimed(feed, deferred);
    while (current !== null && !state.stopping) {
      following = null;
      // Once this iteration's container runs, set up the next one alongside it.
      const prepareNext = () => {
        if (following !== null) return;
        following = pool.prepareAhead(feed, deferred);
        // Awaited once the current run ends; until then a failure must not count as unhandled.
        following.catch(() => undefined);
      };
      const running = current;
      current = null;
      let freeSlot!: () => void;
      const slotFree = new Promise<void>((resolve) => (freeSlot = resolve));
      const finished = pipeline.runClaimed(running, { onStarted: prepareNext, onSlotFree: freeSlot }, recording);
      recording = finished;
      // Awaited here or by the next iteration's recording; a failure surfaces from either.
      finished.catch(() => undefined);
      await Promise.race([slotFree, finished]);
      const mine: Lookahead | null = following === null ? null : await following;
      following = null;
      current = mine !== null && pool.takeBack(mine) ? mine : await pool.nextClaimed(feed, deferred);
    }
    if (recording !== null) await recording;
  } catch (error) {
    state.requestStop('failed', (error as Error).message);
    state.halt.abort();
    throw error;
  } finally {
    await (recording as Promise<void> | null)?.catch(() => undefined);
    // Claimed or prepared but never run (the sweep stopped): let them go.
    if (current !== null) await pool.abandon(current);
    const ahead = following === null ? null : await (following as Promise<Lookahead | null>).catch(() => null);
    if (ahead !== null && pool.takeBack(ahead)) await pool.abandon(ahead);
  }
}
