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

const FATAL = /Fatal Python error:/;
// What faulthandler's fatal handler says (CPython's faulthandler.c), when the words made it onto the line.
const FATAL_WORDS = /^ ?(Aborted|Segmentation fault|Bus error|Floating point exception|Illegal instruction)(?![a-z])/;
// Other fatal errors are printed in one write: their words are on the line.
const FATAL_TEXT = /^ (\S[^\r\n]*)/;
const TIMEOUT_BANNER = /^\+{5,} Timeout \+{5,}$/;
const HARNESS = /^\[flakehunt\] (HANG|TIMEOUT):/;
const WORKER_PREFIX = /^\[(gw\d+)\]/;
// faulthandler: `Current thread 0x… (most recent call first):`, and `Thread 0x…` for the others.
const FAULTHANDLER_THREAD = /(Current thread|Thread) 0x[0-9a-fA-F]+ \(most recent call first\):/;
// pytest-timeout: `~~~~~ Stack of MainThread (140…) ~~~~~`, oldest call first.
const TIMEOUT_THREAD = /^~{5,} Stack of (\S+) \(\d+\) ~{5,}$/;
// `  File "/suite/t.py", line 12 in test_x` (faulthandler) or `…, line 12, in test_x` (traceback).
const FRAME = /^\s*File "([^"]*)", line \d+,? in ([A-Za-z_<][\w<>.]*)\s*$/;
// The start of a frame line, cut short where stdout's output was glued in.
const FRAME_START = /^(\s*File "[^"]*"?(?:, line \d*(?:,? in ?(?:[A-Za-z_<][\w<>.]*)?)?)?)/;
// Where stdout's line begins inside a cut stderr line: a section or failure head, a header line, an xdist line, a node id.
const PYTEST_LINE_START = /(?:={3,}|_{3,}|\[gw\d+\]|platform |rootdir: |plugins: |collecting |\S+\.py::).*$/;

/** pytest's frames on the way into a test: the thread whose stack holds one ran the test. */
const TEST_CALL_FUNCTIONS = new Set(['pytest_pyfunc_call', 'pytest_runtest_call', 'runtestprotocol']);

/** How the lines of faulthandler's and pytest-timeout's dumps begin. */
const DUMP_STARTS = ['  File "', 'Current thread 0x', 'Thread 0x', '~~~~~', 'Extension modules:'];

/** Whether a line is (or, cut short, could be) a line of a stack dump rather than someone's output. */
function looksLikeDump(line: string): boolean {
  return line.length > 0 && DUMP_STARTS.some((start) => line.startsWith(start) || start.startsWith(line));
}

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
  /** The line, trimmed from where the event's text starts; completed when stdout cut it short. */
  line: string;
  /** Every frame of the dump, in the order printed. */
  readonly frames: Frame[] = [];
  /** Each thread of the dump with its frames, as printed (faulthandler names them `Current thread` or `Thread`). */
  private readonly threads: Array<{ name: string; frames: Frame[] }> = [];

  constructor(
    readonly kind: ProcessEventKind,
    line: string,
    /** `[gw0]` when an xdist worker's line said so. */
    readonly worker: string | null,
    /** The Context the console was in when the line came (the test it was glued to, or `run`). */
    readonly contextKey: string,
  ) {
    this.line = line;
  }

  /** The fatal error's own words (`Aborted`), or null for other events or words not seen (yet). */
  get fatalError(): string | null {
    if (this.kind !== 'fatal') return null;
    const after = this.line.slice(this.line.indexOf('Fatal Python error:') + 'Fatal Python error:'.length);
    return FATAL_WORDS.exec(after)?.[1] ?? FATAL_TEXT.exec(after)?.[1]?.trim() ?? null;
  }

  /** A fatal error whose words stdout's output pushed onto a later line. */
  get wordsMissing(): boolean {
    return this.kind === 'fatal' && !FATAL_WORDS.test(this.line.slice(this.line.indexOf('Fatal Python error:') + 'Fatal Python error:'.length));
  }

  /** SIGABRT for `Fatal Python error: Aborted`, and so on; null when the text names no signal. */
  get signal(): string | null {
    const what = this.fatalError;
    return what === null ? null : (FATAL_SIGNALS[what] ?? null);
  }

  /** The frames of the thread that crashed or timed out, innermost first (pytest-timeout prints oldest first). */
  get crashFrames(): Frame[] {
    if (this.kind !== 'timeout-dump') return this.threads.filter((t) => t.name === 'Current thread').flatMap((t) => t.frames);
    // The thread that ran the test: MainThread when serial, execnet's worker thread (`Dummy-1`) under
    // xdist, whose MainThread only waits. The one with pytest's call of the test function says which.
    const ran = this.threads.find((t) => t.frames.some((f) => TEST_CALL_FUNCTIONS.has(f.fn ?? '')))
      ?? this.threads.find((t) => t.name === 'MainThread');
    return [...ran?.frames ?? []].reverse();
  }

  /** Takes a line that may belong to the dump; false once the dump is over. */
  dumpLine(line: string): boolean {
    const thread = FAULTHANDLER_THREAD.exec(line) ?? TIMEOUT_THREAD.exec(line);
    if (thread !== null) {
      this.threads.push({ name: thread[1]!, frames: [] });
      return true;
    }
    if (this.kind === 'timeout-dump' && TIMEOUT_BANNER.test(line)) return false;
    const frame = FRAME.exec(line);
    if (frame && this.frames.length < MAX_FRAMES) {
      const parsed = { file: frame[1]!, fn: frame[2]! };
      this.frames.push(parsed);
      this.threads.at(-1)?.frames.push(parsed);
    }
    return true;
  }

  /** Takes back the last frame (a line stdout cut short, about to be read again whole). */
  dropLastFrame(): void {
    const last = this.frames.pop();
    const thread = this.threads.at(-1);
    if (last !== undefined && thread?.frames.at(-1) === last) thread.frames.pop();
  }
}

/**
 * Finds the events in a console and keeps the dump lines that follow each. A dump is stderr;
 * pytest's verbose lines are stdout. Where stdout's `\n<node id> ` lands inside a stderr line, the
 * line is cut in two: its start ends one line, its end follows the node id on the next (and lines
 * of stdout may come between). While a dump is open, what follows a node id is taken as the end of
 * the stderr line that was cut, and the two are read again as one.
 */
export class ProcessEventReader {
  readonly events: ProcessEvent[] = [];
  private open: ProcessEvent | null = null;
  private window = 0;
  /** The start of the last stderr line of the open dump, if stdout may have cut it short. */
  private cut: { text: string; frame: boolean; header?: boolean } | null = null;

  /** Whether a dump is being read (so a node id's trailing text may be the end of a cut line). */
  get dumping(): boolean {
    return this.window > 0 && this.open !== null;
  }

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
      if (fatal) event = new ProcessEvent('fatal', line.slice(fatal.index).trimStart(), worker, contextKey);
    }
    if (event === null) return null;
    this.events.push(event);
    this.open = event.kind === 'fatal' || event.kind === 'timeout-dump' ? event : null;
    this.window = this.open === null ? 0 : DUMP_WINDOW;
    if (event.wordsMissing) {
      // `Fatal Python error: A` and then stdout: the rest of its words come later, after a node id.
      const own = event.line.replace(PYTEST_LINE_START, '');
      event.line = own.trim();
      this.cut = { text: own, frame: false, header: true };
    } else {
      event.line = event.line.trimEnd();
      this.cut = null;
    }
    return event;
  }

  /** Shows a line to the dump being read, if one is (the line is still the console's too). */
  dump(line: string): void {
    if (this.window === 0 || this.open === null) return;
    this.window -= 1;
    if (!this.open.dumpLine(line)) {
      this.window = 0;
      return;
    }
    // Kept until the next line of the dump: stdout's lines may come between the two halves.
    const own = line.replace(PYTEST_LINE_START, '');
    if (!looksLikeDump(own)) return;
    const frame = FRAME_START.exec(own);
    this.cut = { text: frame !== null && frame[1]!.length > 0 ? frame[1]! : own, frame: FRAME.test(line) };
  }

  /**
   * The text that followed a node id on a line, while a dump is open: if it ends the stderr line
   * stdout cut short, the two are read again as one. Returns the event that got its words back
   * (its rule matches must be found again), or `consumed` when the text was the dump's.
   */
  continuation(text: string): { consumed: boolean; completed: ProcessEvent | null } {
    const none = { consumed: false, completed: null };
    if (!this.dumping || this.cut === null || FRAME.test(text)) return none;
    const event = this.open!;
    const joined = this.cut.text + text.replace(/\s+$/, '');
    if (event.wordsMissing && this.cut.header === true) {
      const words = FATAL_WORDS.exec(joined.slice(joined.indexOf('Fatal Python error:') + 'Fatal Python error:'.length));
      if (words === null) return none;
      // As faulthandler writes it, whatever white space the cut took away.
      event.line = `Fatal Python error: ${words[1]}`;
      this.cut = null;
      return { consumed: true, completed: event };
    }
    const whole = FRAME.test(joined) || FAULTHANDLER_THREAD.test(joined) || TIMEOUT_THREAD.test(joined);
    if (!whole) return none;
    if (this.cut.frame) event.dropLastFrame();
    event.dumpLine(joined);
    this.cut = { text: joined, frame: FRAME.test(joined) };
    return { consumed: true, completed: null };
  }

  /**
   * The text that followed a node id on a line before any dump began: joined with the end of the
   * line before, does it start an event stdout cut in two (`F` + `\n<node id> ` + `atal Python error: …`)?
   */
  startsCut(before: string, text: string): string | null {
    if (EVENT_PATTERNS.some((pattern) => pattern.test(text))) return null;
    const joined = before + text;
    return FATAL.test(joined) || TIMEOUT_BANNER.test(joined) ? joined : null;
  }
}
