/**
 * Lines that say a process died or was stopped, whichever test's output they landed next to:
 * `Fatal Python error: …` and the stack dump after it, pytest-timeout's thread-method dump, and
 * the watchdog's markers. A container's stdout and stderr reach the log interleaved byte by byte,
 * so such a line can follow another test's node id or outcome on the same line; it is therefore
 * never taken as that test's output. It is recorded here, with the frames of its dump, and tied
 * to the test that was running when the process died once the whole log is known.
 */
import type { Frame } from './exception-trace.js';

export type ProcessEventKind = 'fatal' | 'timeout-dump' | 'hang' | 'wall-timeout';

/** Lines after an event that may still belong to its stack dump. */
const DUMP_WINDOW = 200;
const MAX_FRAMES = 500;

const FATAL = /Fatal Python error: (\S[^\r\n]*)/;
const TIMEOUT_BANNER = /^\+{5,} Timeout \+{5,}$/;
const HARNESS = /^\[flakehunt\] (HANG|TIMEOUT):/;
const WORKER_PREFIX = /^\[(gw\d+)\]/;
// faulthandler: `Current thread 0x… (most recent call first):`, and `Thread 0x…` for the others.
const FAULTHANDLER_THREAD = /(Current thread|Thread) 0x[0-9a-fA-F]+ \(most recent call first\):/;
// pytest-timeout: `~~~~~ Stack of MainThread (140…) ~~~~~`, oldest call first.
const TIMEOUT_THREAD = /^~{5,} Stack of (\S+) \(\d+\) ~{5,}$/;
// `  File "/suite/t.py", line 12 in test_x` (faulthandler) or `…, line 12, in test_x` (traceback).
const FRAME = /^\s*File "([^"]*)", line \d+,? in (\S+)/;

/** The regexes a line must match one of to be an event: tested together with the rules' patterns. */
export const EVENT_PATTERNS: readonly RegExp[] = [FATAL, TIMEOUT_BANNER, HARNESS];

/** The signal behind a fatal error's text, when it names one. */
const FATAL_SIGNALS: Record<string, string> = {
  Aborted: 'SIGABRT',
  'Segmentation fault': 'SIGSEGV',
  'Bus error': 'SIGBUS',
  'Floating point exception': 'SIGFPE',
  'Illegal instruction': 'SIGILL',
};

export class ProcessEvent {
  /** Rule pattern groups this event's line matched (group key → the line). */
  readonly matches = new Map<string, string>();
  /** Every frame of the dump, in the order printed. */
  readonly frames: Frame[] = [];
  /** The frames of the thread that crashed or timed out, as printed. */
  private readonly threadFrames: Frame[] = [];
  private thread: 'crash' | 'other' | null = null;

  constructor(
    readonly kind: ProcessEventKind,
    /** The line, trimmed from where the event's text starts. */
    readonly line: string,
    /** `[gw0]` when an xdist worker's line said so. */
    readonly worker: string | null,
    /** The Context the console was in when the line came (the test it was glued to, or `run`). */
    readonly contextKey: string,
  ) {}

  /** The fatal error's own words (`Aborted`), or null for other events. */
  get fatalError(): string | null {
    return this.kind === 'fatal' ? FATAL.exec(this.line)![1]!.trim() : null;
  }

  /** SIGABRT for `Fatal Python error: Aborted`, and so on; null when the text names no signal. */
  get signal(): string | null {
    const what = this.fatalError;
    return what === null ? null : (FATAL_SIGNALS[what] ?? null);
  }

  /** The frames of the thread that crashed or timed out, innermost first (pytest-timeout prints oldest first). */
  get crashFrames(): Frame[] {
    return this.kind === 'timeout-dump' ? [...this.threadFrames].reverse() : this.threadFrames;
  }

  /** Takes a line that may belong to the dump; false once the dump is over. */
  dumpLine(line: string): boolean {
    const thread = FAULTHANDLER_THREAD.exec(line);
    if (thread) {
      this.thread = thread[1] === 'Current thread' ? 'crash' : 'other';
      return true;
    }
    const timeoutThread = TIMEOUT_THREAD.exec(line);
    if (timeoutThread) {
      this.thread = timeoutThread[1] === 'MainThread' ? 'crash' : 'other';
      return true;
    }
    if (this.kind === 'timeout-dump' && TIMEOUT_BANNER.test(line)) return false;
    const frame = FRAME.exec(line);
    if (frame && this.frames.length < MAX_FRAMES) {
      const parsed = { file: frame[1]!, fn: frame[2]! };
      this.frames.push(parsed);
      if (this.thread === 'crash') this.threadFrames.push(parsed);
    }
    return true;
  }
}

/** Finds the events in a console and keeps the dump lines that follow each. */
export class ProcessEventReader {
  readonly events: ProcessEvent[] = [];
  private open: ProcessEvent | null = null;
  private window = 0;

  /** An event this line starts, if any (call only for lines that passed EVENT_PATTERNS' prefilter). */
  start(line: string, contextKey: string): ProcessEvent | null {
    let event: ProcessEvent | null = null;
    const harness = HARNESS.exec(line);
    const worker = WORKER_PREFIX.exec(line)?.[1] ?? null;
    if (harness) {
      event = new ProcessEvent(harness[1] === 'HANG' ? 'hang' : 'wall-timeout', line.trim(), null, contextKey);
    } else if (TIMEOUT_BANNER.test(line)) {
      // The thread method prints the banner before and after its dump: the second one closes it.
      if (this.open?.kind === 'timeout-dump' && this.window > 0) {
        this.window = 0;
        return null;
      }
      event = new ProcessEvent('timeout-dump', line.trim(), worker, contextKey);
    } else {
      const fatal = FATAL.exec(line);
      if (fatal) event = new ProcessEvent('fatal', line.slice(fatal.index).trim(), worker, contextKey);
    }
    if (event === null) return null;
    this.events.push(event);
    this.open = event.kind === 'fatal' || event.kind === 'timeout-dump' ? event : null;
    this.window = this.open === null ? 0 : DUMP_WINDOW;
    return event;
  }

  /** Shows a line to the dump being read, if one is (the line is still the console's too). */
  dump(line: string): void {
    if (this.window === 0 || this.open === null) return;
    this.window -= 1;
    if (!this.open.dumpLine(line)) this.window = 0;
  }
}
