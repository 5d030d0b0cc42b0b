/** Longest line kept; the rest of a longer line is dropped, so a log with no newline cannot exhaust memory. */
export const MAX_LINE_BYTES = 16 * 1024;

/**
 * Splits a byte stream into text lines with bounded memory: at most MAX_LINE_BYTES are held for
 * one line, whatever the input (gigabytes without a newline, binary garbage).
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, newline));
      this.emit();
      start = newline + 1;
    }
  }

  end(): void {
    if (this.pendingBytes > 0 || this.overflowed) this.emit();
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    const room = MAX_LINE_BYTES - this.pendingBytes;
    if (room <= 0) {
      this.overflowed = true;
      return;
    }
    const kept = part.length > room ? part.subarray(0, room) : part;
    if (kept.length < part.length) this.overflowed = true;
    // Copy: the caller may reuse its buffer.
    this.pending.push(Buffer.from(kept));
    this.pendingBytes += kept.length;
  }

  private emit(): void {
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let line = bytes.toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.pending = [];
    this.pendingBytes = 0;
    this.overflowed = false;
    this.onLine(line);
  }
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Removes terminal colour and cursor sequences (a suite run with --color=yes). */
export function stripAnsi(line: string): string {
  return line.includes('\x1b') ? line.replace(ANSI, '') : line;
}
