import { describe, expect, it } from 'vitest';

import { LogCursor, sinceParameter } from '../../../src/executors/swarm/log-cursor.js';
import { type LogFrame, secondsParser } from '../../../src/executors/swarm/log-frames.js';

/**
 * The catch-up read after a task ends returns the frames of the log file (in file order) whose
 * timestamp is at or after cursor.since(); the aligner must then accept exactly the frames the
 * follow stream had not delivered. Checked for every prefix the follow stream may have delivered,
 * on logs that hold the cases that break a naive cut: chunks of one long line sharing its first
 * chunk's timestamp (some identical), lines of the other stream logged meanwhile with later
 * timestamps, and neighbours whose timestamps are out of file order.
 */
const T0 = Date.parse('2026-12-01T20:00:00Z') / 1000;
let nextId = 0;

function frame(stream: number, atMs: number, text: string): LogFrame & { id: number } {
  const seconds = T0 + atMs / 1000;
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  const ts = `${new Date(whole * 1000).toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
  return { stream, ts, seconds: secondsParser()(ts), message: Buffer.from(text), id: nextId++ };
}

const chunk = 'x'.repeat(64);
const LOGS: Record<string, Array<LogFrame & { id: number }>> = {
  'plain lines on both streams': [frame(1, 0, 'a\n'), frame(2, 10, 'b\n'), frame(1, 20, 'c\n'), frame(1, 30, 'd\n'), frame(2, 40, 'e\n')],
  'a long stdout line whose chunks (two identical) share its timestamp, stderr lines logged meanwhile': [
    frame(1, 0, 'start\n'),
    frame(1, 100, chunk),
    frame(2, 900, 'err 1\n'),
    frame(1, 100, chunk),
    frame(2, 3_500, 'err 2\n'),
    frame(1, 100, chunk),
    frame(1, 100, 'x end\n'),
    frame(2, 5_000, 'err 3\n'),
    frame(1, 5_100, 'after\n'),
  ],
  'the last output is identical chunks of an unfinished line': [frame(2, 0, 'err\n'), frame(1, 50, chunk), frame(1, 50, chunk), frame(1, 50, chunk)],
  'neighbours logged out of timestamp order': [frame(1, 0, 'a\n'), frame(2, 5, 'b\n'), frame(1, 3, 'c\n'), frame(2, 9, 'd\n'), frame(1, 8, 'e\n'), frame(1, 12, 'f\n')],
  'nothing at all': [],
};

describe('LogCursor: the rest of a log after the follow stream', () => {
  for (const [name, log] of Object.entries(LOGS)) {
    it(`delivers exactly the undelivered frames, for every delivered prefix: ${name}`, () => {
      for (let delivered = 0; delivered <= log.length; delivered += 1) {
        const cursor = new LogCursor();
        for (const f of log.slice(0, delivered)) cursor.record(f);
        const since = cursor.since();
        const read = log.filter((f) => f.seconds >= since);
        const aligner = cursor.aligner();
        const accepted = read.filter((f) => aligner.accept(f));
        expect(accepted.map((f) => f.id), `after ${delivered} delivered`).toEqual(log.slice(delivered).map((f) => f.id));
        expect(aligner.found).toBe(true);
      }
    });
  }

  it('reads the whole log when nothing was delivered, and from 2 s before the oldest unfinished line otherwise', () => {
    expect(new LogCursor().since()).toBe(0);
    const log = LOGS['a long stdout line whose chunks (two identical) share its timestamp, stderr lines logged meanwhile']!;
    const cursor = new LogCursor();
    for (const f of log.slice(0, 5)) cursor.record(f);
    // The line opened at 0.1 s is still open; the newest timestamp is 3.5 s.
    expect(cursor.since()).toBeCloseTo(T0 + 0.1 - 2, 5);
  });

  it('a read that does not hold the last delivered frame is reported, not silently cut', () => {
    const cursor = new LogCursor();
    cursor.record(frame(1, 0, 'a\n'));
    const aligner = cursor.aligner();
    expect(aligner.accept(frame(1, 1, 'b\n'))).toBe(false);
    expect(aligner.found).toBe(false);
  });
});

describe('timestamps', () => {
  it('parses RFC 3339 nanosecond timestamps to seconds, and writes since as seconds.nanoseconds', () => {
    const parse = secondsParser();
    expect(parse('2026-12-01T20:00:26.254115224Z')).toBeCloseTo(Date.parse('2026-12-01T20:00:26Z') / 1000 + 0.254115224, 6);
    expect(parse('2026-12-01T20:00:26Z')).toBe(Date.parse('2026-12-01T20:00:26Z') / 1000);
    expect(parse('not a time')).toBeNaN();
    expect(sinceParameter(0)).toBe('0.000000000');
    expect(sinceParameter(1796155259.5)).toBe('1796155259.500000000');
  });
});
