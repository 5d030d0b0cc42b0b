import type { KilledBy } from '../core/result.js';

/**
 * Fires once when the iteration outlives its wall-clock limit or goes quiet for the idle limit.
 * One timer at a time, re-armed lazily: output at gigabytes per second costs nothing here.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | null = null;
  /** Fired, or stopped: either way it will not fire (again). */
  private done = false;

  constructor(
    private readonly startedAt: number,
    private readonly timeoutMs: number,
    private readonly idleMs: number,
    private readonly lastOutputAt: () => number,
    private readonly onFire: (reason: Exclude<KilledBy, null>) => void,
  ) {}

  start(): void {
    this.arm();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.done = true;
  }

  private arm(): void {
    if (this.done) return;
    const now = Date.now();
    const wallDue = this.timeoutMs > 0 ? this.startedAt + this.timeoutMs : Infinity;
    const idleDue = this.idleMs > 0 ? this.lastOutputAt() + this.idleMs : Infinity;
    if (now >= wallDue || now >= idleDue) {
      this.done = true;
      this.onFire(now >= wallDue ? 'timeout' : 'idle');
      return;
    }
    const due = Math.min(wallDue, idleDue);
    if (due === Infinity) return;
    this.timer = setTimeout(() => this.arm(), Math.max(10, due - now));
  }
}
