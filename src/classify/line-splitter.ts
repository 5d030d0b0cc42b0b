import { StringDecoder } from 'node:string_decoder';

/** Longest line kept; the rest of a longer line is dropped, so a log with no newline cannot exhaust memory. */
export const MAX_LINE_BYTES = 16 * 1024;

/** Ends a line that was cut at MAX_LINE_BYTES, so that a pattern anchored at the end (`…$`) cannot match what is left of it. */
export const CUT_MARK = '…';

/**
 * Bytes decoded into one string. V8 puts a string of more than about 128 KiB in its large-object
 * space, and making one costs 5x more per byte than making small ones (0.5 against 0.1 ms per
 * MiB here); so however big the chunk read, it is decoded in pieces of this size.
 */
const DECODE_BYTES = 64 * 1024;

/**
 * Splits a byte stream into text lines with bounded memory: whatever the input (gigabytes without
 * a newline, binary garbage), at most one chunk plus MAX_LINE_BYTES of a line are held. Chunks are
 * decoded once and split as strings, which is several times faster than line-by-line buffers.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private overflowed = false;

  /**
   * `plain` tells that the line holds no carriage return and no escape character (so neither
   * stripAnsi nor RunClassifier's carriage-return handling would change it): one search per
   * chunk instead of two per line.
   */
  constructor(private readonly onLine: (line: string, plain: boolean) => void) {}

  push(chunk: Buffer): void {
    if (chunk.length <= DECODE_BYTES) {
      this.feed(this.decoder.write(chunk));
      return;
    }
    for (let start = 0; start < chunk.length; start += DECODE_BYTES) this.feed(this.decoder.write(chunk.subarray(start, start + DECODE_BYTES)));
  }

  end(): void {
    this.feed(this.decoder.end());
    if (this.pending.length > 0 || this.overflowed) this.emit(this.overflowed ? this.pending + CUT_MARK : this.pending, false);
    this.pending = '';
    this.overflowed = false;
  }

  private feed(text: string): void {
    if (text.length === 0) return;
    const plain = !text.includes('\r') && !text.includes('\x1b');
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline !== -1 && (this.pending.length > 0 || this.overflowed)) {
      const line = this.keep(this.pending, text.slice(0, newline));
      this.emit(this.overflowed ? line + CUT_MARK : line, false);
      this.pending = '';
      this.overflowed = false;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    while (newline !== -1) {
      this.emit(newline - start > MAX_LINE_BYTES ? text.slice(start, start + MAX_LINE_BYTES) + CUT_MARK : text.slice(start, newline), plain);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) this.pending = this.keep(this.pending, text.slice(start));
  }

  /** Appends to the line in progress, never past MAX_LINE_BYTES. */
  private keep(pending: string, more: string): string {
    const room = MAX_LINE_BYTES - pending.length;
    if (more.length > room) this.overflowed = true;
    return room <= 0 ? pending : pending + (more.length > room ? more.slice(0, room) : more);
  }

  private emit(line: string, plain: boolean): void {
    if (plain) this.onLine(line, true);
    else this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, false);
  }
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Removes terminal colour and cursor sequences (a suite run with --color=yes). */
export function stripAnsi(line: string): string {
  return line.includes('\x1b') ? line.replace(ANSI, '') : line;
}
