import { describe, expect, it } from 'vitest';

import { CUT_MARK, LineSplitter, MAX_LINE_BYTES, stripAnsi } from '../../../src/classify/line-splitter.js';

function split(chunks: Array<string | Buffer>, end = true): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  if (end) splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('joins lines split across chunk boundaries', () => {
    expect(split(['ab', 'c\nd', 'e\n', 'f'])).toEqual(['abc', 'de', 'f']);
    expect(split(['one line\n'])).toEqual(['one line']);
  });

  it('splits at every boundary of a multi-line text the same way', () => {
    const text = 'first\nsecond line\r\n\nfourth ✓ naïve\nlast';
    const want = ['first', 'second line', '', 'fourth ✓ naïve', 'last'];
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(want);
    }
    expect(split(Array.from(bytes, (b) => Buffer.from([b])))).toEqual(want);
  });

  it('gives one big chunk the lines that small chunks of it give, whatever its characters straddle inside it', () => {
    // Lines of 1-, 2-, 3- and 4-byte characters, of lengths that put every kind of character across
    // the places where a chunk of a megabyte is cut for decoding; one line holds a carriage return.
    const lines = Array.from({ length: 9000 }, (_, i) => `${i} ${'aé✓😀'.repeat(1 + (i % 23))}${i === 4000 ? '\r…' : ''}`);
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    expect(bytes.length).toBeGreaterThan(1 << 20);
    const small = split(Array.from({ length: Math.ceil(bytes.length / 4093) }, (_, k) => bytes.subarray(k * 4093, (k + 1) * 4093)));
    expect(split([bytes])).toEqual(small);
    expect(small).toEqual(lines);
  });

  it('drops the CR of CRLF, also when CR and LF arrive in different chunks', () => {
    expect(split(['a\r\nb\r\n'])).toEqual(['a', 'b']);
    expect(split(['a\r', '\nb\r', '\n'])).toEqual(['a', 'b']);
    // A lone CR inside a line is the line's (xdist banners); only the one before LF goes.
    expect(split(['x\ry\r\n'])).toEqual(['x\ry']);
  });

  it('marks lines plain only when their chunk holds no carriage return or escape, and never a line joined across chunks', () => {
    const seen: Array<[string, boolean]> = [];
    const splitter = new LineSplitter((line, plain) => seen.push([line, plain]));
    for (const chunk of ['a\nb\n', 'c\r\nd\n', '\x1b[31me\x1b[0m\n', 'f', 'g\nh\n']) splitter.push(Buffer.from(chunk));
    splitter.end();
    expect(seen).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', false],
      ['\x1b[31me\x1b[0m', false],
      ['fg', false],
      ['h', true],
    ]);
  });

  it('keeps empty lines, emits nothing more at the end after a final newline, and emits a last unterminated line', () => {
    expect(split(['a\n\n\nb\n'])).toEqual(['a', '', '', 'b']);
    expect(split(['tail without newline'])).toEqual(['tail without newline']);
    expect(split([])).toEqual([]);
    expect(split(['pending'], false)).toEqual([]);
  });

  it('copies what it keeps: the caller may reuse its buffer', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const buffer = Buffer.from('abc');
    splitter.push(buffer);
    buffer.write('xyz');
    splitter.push(Buffer.from('\n'));
    expect(lines).toEqual(['abc']);
  });

  it('keeps a line of exactly MAX_LINE_BYTES whole, and cuts a longer one to MAX_LINE_BYTES, marked as cut', () => {
    const exact = 'a'.repeat(MAX_LINE_BYTES);
    expect(split([`${exact}\nnext\n`])).toEqual([exact, 'next']);
    const long = split([`${'b'.repeat(MAX_LINE_BYTES + 10)}\nnext\n`]);
    expect(long).toEqual([`${'b'.repeat(MAX_LINE_BYTES)}${CUT_MARK}`, 'next']);
    // Cut across chunks, and at the end of the input, the same.
    expect(split(['c'.repeat(MAX_LINE_BYTES - 5), 'c'.repeat(10), '\nnext'])).toEqual([`${'c'.repeat(MAX_LINE_BYTES)}${CUT_MARK}`, 'next']);
    expect(split(['d'.repeat(MAX_LINE_BYTES + 1)])).toEqual([`${'d'.repeat(MAX_LINE_BYTES)}${CUT_MARK}`]);
    // A pattern anchored at the end does not match what is left of a cut line.
    expect(/^(?:a+)$/.test(split([`${'a'.repeat(20_000)}!\n`])[0]!)).toBe(false);
  });

  it('a single 200 MB line without a newline keeps memory bounded and yields one truncated line', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const chunk = Buffer.alloc(1 << 20, 'x'.charCodeAt(0));
    const before = process.memoryUsage().rss;
    let peak = before;
    for (let i = 0; i < 200; i += 1) {
      chunk[i % chunk.length] = 'y'.charCodeAt(0); // a fresh chunk each time, as far as the splitter can tell
      splitter.push(chunk);
      if (i % 10 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(lines).toEqual([]);
    splitter.end();
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
    expect(lines).toHaveLength(1);
    expect(Buffer.byteLength(lines[0]!)).toBe(MAX_LINE_BYTES + Buffer.byteLength(CUT_MARK));
    expect(lines[0]!.startsWith('y')).toBe(true);
    // The splitter is usable again afterwards.
    splitter.push(Buffer.from('after\n'));
    expect(lines[1]).toBe('after');
  });
});

describe('stripAnsi', () => {
  it('removes colour and cursor sequences only', () => {
    expect(stripAnsi('\x1b[31mFAILED\x1b[0m t.py::test_x')).toBe('FAILED t.py::test_x');
    expect(stripAnsi('\x1b[1m\x1b[31mE       AssertionError\x1b[0m')).toBe('E       AssertionError');
    expect(stripAnsi('\x1b[?25lhidden cursor\x1b[?25h')).toBe('hidden cursor');
    expect(stripAnsi('plain [ 50%] text')).toBe('plain [ 50%] text');
  });
});
