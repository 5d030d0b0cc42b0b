import type { LogFrame } from './log-frames.js';

/**
 * How much margin the catch-up read keeps before what was already received, in seconds. A
 * message's timestamp is taken just before the node's log driver writes it, so two messages of
 * stdout and stderr can land in the log file in the opposite order of their timestamps (by the
 * time a goroutine waits for the driver's lock); two seconds is far more than that takes.
 */
const REORDER_MARGIN_S = 2;

interface StreamState {
  ts: string;
  seconds: number;
  /** How many received frames of this stream carry `ts` (the 16 KiB chunks of one long line share it). */
  count: number;
  /** The last frame did not end a line: the line's later chunks carry its first chunk's timestamp. */
  open: boolean;
}

/**
 * What a follow stream of a task's log has delivered, kept small: enough to fetch the rest once the
 * task has ended and to line the two up exactly.
 *
 * The follow stream of the Swarm logs API never ends (not even when the task or service is gone)
 * and can lag far behind the task (tens of megabytes). So once the task is over, the rest is read
 * with a non-follow request from `since()` on; its frames are in log-file order, and the frames of
 * it that were already delivered are exactly its prefix up to the last delivered frame, which is
 * found by its stream, its timestamp and how many frames of that stream carried that timestamp.
 */
export class LogCursor {
  private readonly streams = new Map<number, StreamState>();
  private last: { stream: number; ts: string; count: number } | null = null;
  private maxSeconds = Number.NEGATIVE_INFINITY;
  private received = 0;

  record(frame: LogFrame): void {
    this.received += 1;
    const previous = this.streams.get(frame.stream);
    const count = previous !== undefined && previous.ts === frame.ts ? previous.count + 1 : 1;
    const open = frame.message.length === 0 || frame.message[frame.message.length - 1] !== 0x0a;
    this.streams.set(frame.stream, { ts: frame.ts, seconds: frame.seconds, count, open });
    this.last = { stream: frame.stream, ts: frame.ts, count };
    if (frame.seconds > this.maxSeconds) this.maxSeconds = frame.seconds;
  }

  get framesReceived(): number {
    return this.received;
  }

  /**
   * Where the catch-up read starts (seconds since the epoch), or 0 for the whole log: early enough
   * that every frame not yet delivered is at or after it. Those are the later chunks of a line that
   * is still open (they carry its first chunk's timestamp) and messages written after the last
   * delivered one (not earlier than the newest delivered timestamp by more than the margin).
   */
  since(): number {
    if (this.last === null) return 0;
    let earliest = Math.min(this.maxSeconds, this.streams.get(this.last.stream)!.seconds);
    for (const state of this.streams.values()) if (state.open) earliest = Math.min(earliest, state.seconds);
    return Number.isFinite(earliest) ? Math.max(0, earliest - REORDER_MARGIN_S) : 0;
  }

  /** Decides frame by frame, for a read from since(), which frames were not delivered yet. */
  aligner(): Aligner {
    const last = this.last;
    let seen = 0;
    let past = last === null;
    return {
      accept: (frame) => {
        if (past) return true;
        if (frame.stream === last!.stream && frame.ts === last!.ts) {
          seen += 1;
          if (seen === last!.count) past = true;
        }
        return false;
      },
      get found() {
        return past;
      },
    };
  }
}

export interface Aligner {
  /** Whether this frame (of a read from since(), in order) is new. */
  accept(frame: LogFrame): boolean;
  /** Whether the last delivered frame was found (so every later frame was accepted). */
  readonly found: boolean;
}

/** `since` as the logs API wants it: seconds and nanoseconds. */
export function sinceParameter(seconds: number): string {
  const whole = Math.floor(seconds);
  const nanos = Math.floor((seconds - whole) * 1e9);
  return `${whole}.${String(Math.min(nanos, 999_999_999)).padStart(9, '0')}`;
}
