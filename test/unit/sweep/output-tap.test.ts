import { once } from 'node:events';

import { describe, expect, it } from 'vitest';

import { OutputTap } from '../../../src/sweep/output-tap.js';

const SECRET = 'hf_S3cr3tV4lu3';

/** Writes chunks one by one and records what the tap has let out after each of them. */
class Harness {
  readonly tap: OutputTap;
  private readonly out: Buffer[] = [];
  readonly afterEach: string[] = [];

  constructor(secrets: string[]) {
    this.tap = new OutputTap(secrets);
  }

  write(chunk: string | Buffer): void {
    this.tap.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    this.collect();
    this.afterEach.push(this.text());
  }

  mark(line: string): void {
    this.tap.mark(line);
    this.collect();
  }

  async end(): Promise<string> {
    const ended = once(this.tap, 'end');
    this.tap.end();
    this.tap.on('data', (chunk: Buffer) => this.out.push(chunk));
    await ended;
    return this.text();
  }

  bytes(): Buffer {
    return Buffer.concat(this.out);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  private collect(): void {
    for (let chunk = this.tap.read() as Buffer | null; chunk !== null; chunk = this.tap.read() as Buffer | null) this.out.push(chunk);
  }
}

describe('OutputTap without secrets', () => {
  it('passes every byte through unchanged', async () => {
    const h = new Harness([]);
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const before = Date.now();
    h.write('hello ');
    h.write(binary);
    h.write('wörld\r\n');
    expect(h.tap.lastOutputAt).toBeGreaterThanOrEqual(before);
    // Nothing is held back when there is nothing to mask.
    expect(h.afterEach[0]).toBe('hello ');
    await h.end();
    expect(h.bytes().equals(Buffer.concat([Buffer.from('hello '), binary, Buffer.from('wörld\r\n')]))).toBe(true);
  });

  it('ignores secrets shorter than 4 characters and empty ones', async () => {
    const h = new Harness(['', 'ab', 'xyz']);
    h.write('ab xyz abc\n');
    expect(await h.end()).toBe('ab xyz abc\n');
  });
});

describe('OutputTap masking', () => {
  it('masks a secret inside one chunk, every time it appears', async () => {
    const h = new Harness([SECRET]);
    h.write(`token=${SECRET} again ${SECRET}\n`);
    expect(await h.end()).toBe('token=[redacted] again [redacted]\n');
  });

  it('masks a secret split across two chunks at every position', async () => {
    for (let cut = 1; cut < SECRET.length; cut += 1) {
      const h = new Harness([SECRET]);
      h.write(`export HF_TOKEN=${SECRET.slice(0, cut)}`);
      h.write(`${SECRET.slice(cut)} done\n`);
      const out = await h.end();
      expect(out).toBe('export HF_TOKEN=[redacted] done\n');
    }
  });

  it('masks a secret split across three chunks', async () => {
    const h = new Harness([SECRET]);
    h.write(`a ${SECRET.slice(0, 3)}`);
    h.write(SECRET.slice(3, 9));
    h.write(`${SECRET.slice(9)} z\n`);
    expect(await h.end()).toBe('a [redacted] z\n');
  });

  it('never lets out part of a secret: fed one byte at a time, the output is always a prefix of the masked text', async () => {
    const input = `start ${SECRET} middle ${SECRET}${SECRET} end\n`;
    const masked = 'start [redacted] middle [redacted][redacted] end\n';
    const h = new Harness([SECRET]);
    for (const ch of input) h.write(ch);
    for (const soFar of h.afterEach) expect(masked.startsWith(soFar)).toBe(true);
    expect(await h.end()).toBe(masked);
  });

  it('masks overlapping secrets by the longer one first, and non-ASCII secrets byte-exactly', async () => {
    const h = new Harness(['pass', 'password-42', 'clé-secrète']);
    h.write('pw=password-42 p=pass k=clé-');
    h.write(Buffer.from('secrète', 'utf8').subarray(0, 3));
    h.write(Buffer.from('secrète', 'utf8').subarray(3));
    h.write(' ok\n');
    expect(await h.end()).toBe('pw=[redacted] p=[redacted] k=[redacted] ok\n');
  });

  it('lets out a trailing partial match at the end of the stream unmasked but complete', async () => {
    const h = new Harness([SECRET]);
    h.write(`tail ${SECRET.slice(0, 5)}`);
    expect(await h.end()).toBe(`tail ${SECRET.slice(0, 5)}`);
  });
});

describe('OutputTap.mark', () => {
  it('puts a marker line after the output so far, adding a newline only when needed', async () => {
    const h = new Harness([]);
    h.write('no newline yet');
    h.mark('[flakehunt] HANG: no output');
    h.write('after\n');
    h.mark('[flakehunt] second');
    expect(await h.end()).toBe('no newline yet\n[flakehunt] HANG: no output\nafter\n[flakehunt] second\n');
  });

  it('marks an empty log without a blank line first', async () => {
    const h = new Harness([]);
    h.mark('[flakehunt] TIMEOUT: too long');
    expect(await h.end()).toBe('[flakehunt] TIMEOUT: too long\n');
  });

  it('keeps order with output held back for masking', async () => {
    const h = new Harness([SECRET]);
    h.write(`line one\nheld back ${SECRET}`);
    h.mark('[flakehunt] HANG: stop');
    h.write('later\n');
    const out = await h.end();
    expect(out).toBe('line one\nheld back [redacted]\n[flakehunt] HANG: stop\nlater\n');
  });
});

describe('OutputTap.lastLines', () => {
  it('returns the last non-empty lines, trimmed, newest last', () => {
    const h = new Harness([]);
    h.write('first\r\nsecond\n\n   \n  third  \nfour');
    expect(h.tap.lastLines(2)).toEqual(['third', 'four']);
    expect(h.tap.lastLines(10)).toEqual(['first', 'second', 'third', 'four']);
  });

  it('keeps only a bounded tail: after lots of output, the last lines are still right', () => {
    const h = new Harness([]);
    for (let i = 0; i < 2000; i += 1) h.write(`line ${i}\n`);
    h.write(Buffer.from(`${'x'.repeat(10_000)}\nlast line\n`));
    expect(h.tap.lastLines(1)).toEqual(['last line']);
    const lines = h.tap.lastLines(1000);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines.join('\n').length).toBeLessThanOrEqual(4096);
  });

  it('is empty before any output', () => {
    expect(new OutputTap([]).lastLines(3)).toEqual([]);
  });

  // lastLines goes into run.log through tap.mark() (which does not mask) and into the
  // iteration-killed event, so it must only ever hold masked output.
  it('never returns a secret (lastLines feeds the HANG marker written to run.log)', () => {
    const h = new Harness([SECRET]);
    h.write(`using token ${SECRET}\n`);
    expect(h.tap.lastLines(1)[0]).not.toContain(SECRET);
  });
});
