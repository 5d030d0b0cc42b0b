import { Transform, type TransformCallback } from 'node:stream';

/** One log message as the Swarm logs API sends it: one frame of the multiplexed stream. */
export interface LogFrame {
  /** 1 stdout, 2 stderr. */
  stream: number;
  /** The timestamp as sent (RFC 3339, nanoseconds, UTC): equal strings mean the same message. */
  ts: string;
  /** The same as seconds since the epoch (to about a microsecond), for ordering; NaN when absent. */
  seconds: number;
  message: Buffer;
}

const HEADER = 8;

/**
 * Splits the logs API's multiplexed stream (requested with timestamps=true) into frames, each a
 * whole message with its timestamp split off. A message is at most one json-file line or 16 KiB
 * chunk of one, so buffering a frame whole costs little.
 */
export class LogFrameParser extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private secondsOf = secondsParser();

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    let buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    while (buffer.length - offset >= HEADER) {
      const size = buffer.readUInt32BE(offset + 4);
      if (buffer.length - offset < HEADER + size) break;
      const payload = buffer.subarray(offset + HEADER, offset + HEADER + size);
      this.push(this.frame(buffer[offset]!, payload));
      offset += HEADER + size;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.length > 0 ? [Buffer.from(buffer)] : [];
    this.pendingBytes = buffer.length;
    done();
  }

  private frame(stream: number, payload: Buffer): LogFrame {
    const space = payload.indexOf(0x20);
    if (space < 20 || space > 40) return { stream, ts: '', seconds: Number.NaN, message: payload };
    const ts = payload.toString('latin1', 0, space);
    return { stream, ts, seconds: this.secondsOf(ts), message: payload.subarray(space + 1) };
  }
}

/** `2026-12-01T20:00:26.254115224Z` → seconds since the epoch; remembers the last whole second parsed. */
export function secondsParser(): (ts: string) => number {
  let lastPrefix = '';
  let lastSeconds = Number.NaN;
  return (ts) => {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(ts);
    if (!m) return Number.NaN;
    if (m[1] !== lastPrefix) {
      lastPrefix = m[1]!;
      lastSeconds = Date.parse(`${lastPrefix}Z`) / 1000;
    }
    return lastSeconds + (m[2] === undefined ? 0 : Number(m[2].padEnd(9, '0')) / 1e9);
  };
}
