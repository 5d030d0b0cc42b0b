import { Transform, type TransformCallback } from 'node:stream';

import { maskSecrets, MIN_SECRET_LENGTH } from '../core/secrets.js';

const TAIL_BYTES = 4096;

/**
 * The pass-through between the container's console and run.log: notes when output last came,
 * keeps the last few KB (for hang messages), masks secret values, and lets the harness insert
 * its own marker lines in order with the output.
 */
export class OutputTap extends Transform {
  lastOutputAt = Date.now();
  private tailBuffer = Buffer.alloc(0);
  private held = '';
  private readonly secrets: string[];
  private readonly holdBack: number;

  constructor(secrets: string[]) {
    super();
    // latin1 maps bytes to chars one to one, so replacing in latin1 strings is byte-exact.
    this.secrets = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))]
      .map((s) => Buffer.from(s, 'utf8').toString('latin1'))
      .sort((a, b) => b.length - a.length);
    this.holdBack = this.secrets.length === 0 ? 0 : Math.max(...this.secrets.map((s) => s.length)) - 1;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.lastOutputAt = Date.now();
    if (this.secrets.length === 0) {
      this.remember(chunk);
      done(null, chunk);
      return;
    }
    const text = this.mask(this.held + chunk.toString('latin1'));
    const cut = Math.max(0, text.length - this.holdBack);
    this.held = text.slice(cut);
    const emitted = cut > 0 ? Buffer.from(text.slice(0, cut), 'latin1') : undefined;
    // Remember only masked output: the last lines go into run.log's hang marker and into events.
    if (emitted) this.remember(emitted);
    done(null, emitted);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.held.length > 0 ? Buffer.from(this.mask(this.held), 'latin1') : undefined);
    this.held = '';
  }

  /** Writes a harness line into the log, after what has come so far. */
  mark(line: string): void {
    if (this.held.length > 0) this.push(Buffer.from(this.held, 'latin1'));
    this.held = '';
    this.push(Buffer.from(`${this.tailEndsLine() ? '' : '\n'}${line}\n`, 'utf8'));
    this.remember(Buffer.from('\n'));
  }

  /** The last non-empty lines of output, newest last. */
  lastLines(count: number): string[] {
    return this.tailBuffer
      .toString('utf8')
      .split('\n')
      .map((line) => line.replace(/\r$/, '').trim())
      .filter((line) => line.length > 0)
      .slice(-count);
  }

  private remember(chunk: Buffer): void {
    const joined = chunk.length >= TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : Buffer.concat([this.tailBuffer, chunk]);
    this.tailBuffer = Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
  }

  private tailEndsLine(): boolean {
    return this.tailBuffer.length === 0 || this.tailBuffer[this.tailBuffer.length - 1] === 10;
  }

  private mask(text: string): string {
    return maskSecrets(text, this.secrets);
  }
}
