/**
 * What a failures-section entry says about the exception: its `E ` lines, its type and the frames
 * of its traceback, in pytest's long (the default `auto`), short and native styles. Only the last
 * exception of a chain counts ("The above exception was the direct cause of…"): it is the one
 * pytest reports, the one its short summary and the plugin name.
 */

/** A frame of a traceback or stack dump: the file as printed and the function. */
export interface Frame {
  file: string;
  fn: string | null;
}

/** `E ` lines kept per exception: enough for message conditions, bounded for huge assertion diffs. */
const MAX_ERROR_LINES = 20;
const MAX_FRAMES = 50;

// `t.py:13: ` and `t.py:7: AssertionError` (long), `t.py:13: in test_x` (short), `/abs/t.py:7` (a missing fixture).
const LOCATION = /^([^\s:>][^:]*\.py):(\d+)(?::(?: (?:in (\S+)|(.*)))?)?$/;
const CHAIN = /^(?:The above exception was the direct cause of the following exception:|During handling of the above exception, another exception occurred:)$/;
const ENTRY_SEPARATOR = /^(?:_ ){10,}_?$/;
// `    def test_x(p):` in a long-style entry's source (also `>   ` when it is the failing line).
const DEF = /^[>\s]\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;
const NATIVE_FRAME = /^\s*File "([^"]*)", line \d+, in (\S+)/;
// The exception line of a native-style traceback: `KeyError: 'a'`, `pkg.mod.Error`, at the left margin.
const NATIVE_EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s.*)?$/;
// `----- Captured stdout call -----`: what follows is the test's output, not its traceback.
const CAPTURED = /^-{3,} (?:Captured|captured) /;

/** `KeyError: 'a'` → `KeyError`; `requests.exceptions.ConnectionError: …` → the dotted name; `assert 1 == 2` → null. */
export function typePrefix(line: string): string | null {
  return /^((?:[A-Za-z_]\w*\.)*[A-Z]\w*)(?::\s|:?$)/.exec(line)?.[1] ?? null;
}

/** The trace of a text that holds a whole traceback (the plugin's report of a collection error). */
export function traceOf(text: string): ExceptionTrace {
  const trace = new ExceptionTrace();
  for (const line of text.split('\n')) trace.line(line);
  return trace;
}

export class ExceptionTrace {
  /** The `E ` lines of the last exception, without their `E ` prefix. */
  errorLines: string[] = [];
  frames: Frame[] = [];
  /** The type on the entry's location line (`t.py:7: AssertionError`), short as pytest prints it. */
  locationType: string | null = null;
  /** The exception line of a native-style traceback. */
  nativeException: string | null = null;
  private pendingFn: string | null = null;
  private inNative = false;
  private captured = false;

  /** Reads one line of the entry. */
  line(line: string): void {
    if (this.captured) return;
    const first = line.charCodeAt(0);
    if (first === 0x45 /* E */ && /^E(?:\s|$)/.test(line)) {
      if (this.errorLines.length < MAX_ERROR_LINES) this.errorLines.push(line.replace(/^E\s+/, '').trimEnd());
      return;
    }
    if (first === 0x2d /* - */ && CAPTURED.test(line)) {
      this.captured = true;
      return;
    }
    if (CHAIN.test(line)) {
      this.errorLines = [];
      this.frames = [];
      this.locationType = null;
      this.nativeException = null;
      this.pendingFn = null;
      return;
    }
    if (ENTRY_SEPARATOR.test(line)) {
      this.pendingFn = null;
      return;
    }
    const native = NATIVE_FRAME.exec(line);
    if (native) {
      this.inNative = true;
      this.addFrame({ file: native[1]!, fn: native[2]! });
      return;
    }
    if (this.inNative && first !== 0x20 && this.nativeException === null) {
      const exception = NATIVE_EXCEPTION.exec(line);
      if (exception) this.nativeException = line.trimEnd();
      return;
    }
    const def = this.pendingFn === null ? DEF.exec(line) : null;
    if (def) {
      this.pendingFn = def[1]!;
      return;
    }
    const location = LOCATION.exec(line);
    if (location) {
      const [, file, , shortFn, rest] = location;
      if (shortFn !== undefined) {
        this.addFrame({ file: file!, fn: shortFn });
      } else {
        this.addFrame({ file: file!, fn: this.pendingFn });
        if (rest !== undefined && rest.trim().length > 0) this.locationType = rest.trim();
      }
      this.pendingFn = null;
    }
  }

  /**
   * The exception's first line as Python prints it (`KeyError: 'a'`, `assert 2 == 1`), if any: the
   * first `E ` line that starts with a type, since a SyntaxError prints where it is first.
   */
  get firstLine(): string | null {
    return this.errorLines.find((line) => typePrefix(line) !== null) ?? this.errorLines[0] ?? this.nativeException;
  }

  /** Every line of the exception's message. */
  get messageLines(): string[] {
    if (this.errorLines.length > 0) return this.errorLines;
    return this.nativeException === null ? [] : [this.nativeException];
  }

  private addFrame(frame: Frame): void {
    if (this.frames.length >= MAX_FRAMES) this.frames.shift();
    this.frames.push(frame);
  }
}
