import type { Readable } from 'node:stream';

import { within } from './waiting.js';

/** Reads a RunningIteration's output as it arrives, so a check can await a line in it. */
export class OutputReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly listeners = new Set<() => void>();
  readonly errors: Error[] = [];
  /** Resolves when the output has ended (or closed, or failed). */
  readonly ended: Promise<void>;

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.size += chunk.length;
      this.notify();
    });
    this.ended = new Promise((resolve) => {
      const finish = () => {
        this.done = true;
        this.notify();
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.once('error', (error: Error) => {
        this.errors.push(error);
        finish();
      });
    });
  }

  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks, this.size));
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  /** Resolves once the output contains `pattern`; rejects if it ends without it or the deadline passes. */
  waitFor(pattern: RegExp, ms: number): Promise<void> {
    const found = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.text)) {
          this.listeners.delete(check);
          resolve();
        } else if (this.done) {
          this.listeners.delete(check);
          reject(new Error(`output ended without ${pattern}; it was: ${JSON.stringify(this.text.slice(-2000))}`));
        }
      };
      this.listeners.add(check);
      check();
    });
    return within(ms, found, `waiting for ${pattern} in the output (so far: ${JSON.stringify(this.text.slice(-500))})`);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
