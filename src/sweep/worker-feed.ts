import type { WorkQueue } from './work-queue.js';

/**
 * One worker's view of the queue: the rest of its current chunk first, then a new unit. The next
 * iteration to prepare ahead comes from the same place, except that with chunks it never starts a
 * new one (another worker may be idle and should get that chunk).
 */
export class WorkerFeed {
  private unit: number[] = [];

  constructor(
    private readonly queue: WorkQueue,
    private readonly chunked: boolean,
  ) {}

  next(): number | null {
    while (this.unit.length === 0) {
      const unit = this.queue.take();
      if (unit === null) return null;
      this.unit = [...unit];
    }
    return this.unit.shift()!;
  }

  nextAhead(): number | null {
    if (this.unit.length > 0) return this.unit.shift()!;
    return this.chunked ? null : this.next();
  }

  /** Whether an iteration prepared ahead may run on another worker: only without chunks. */
  get shareable(): boolean {
    return !this.chunked;
  }
}
