import { describe, expect, it } from 'vitest';

import { parsePytestLine } from '../../../src/classify/pytest-lines.js';

/** White space of every kind `\s` knows, and characters that look like it but are not. */
const TRAILERS = [' ', '\t', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u2028', '\u2029', '\u202f', '\u3000', '\ufeff', '\u180e', '\u200b', '\u0085', '\x7f', 'x', '.'];

describe('parsePytestLine: the cheap tests in front of the regexes', () => {
  it('an outcome line may end in any white space \\s knows, and in nothing else', () => {
    for (const trailer of TRAILERS) {
      const serial = parsePytestLine(`t.py::test_a PASSED                  [ 50%]${trailer}${trailer}`, false);
      const bare = parsePytestLine(`FAILED                  [100%]${trailer}`, false);
      const expected = /\s/.test(trailer);
      expect(serial.kind === 'outcome', JSON.stringify(trailer)).toBe(expected);
      expect(bare.kind === 'bare-outcome', JSON.stringify(trailer)).toBe(expected);
    }
  });

  it('finds the node id only in the first word, after its first character', () => {
    expect(parsePytestLine('t.py::test_a PASSED [ 50%]', false)).toEqual({ kind: 'outcome', test: 't.py::test_a', outcome: 'PASSED', worker: null });
    expect(parsePytestLine(':::x PASSED [ 50%]', false)).toEqual({ kind: 'outcome', test: ':::x', outcome: 'PASSED', worker: null });
    expect(parsePytestLine('::x PASSED [ 50%]', false).kind).toBe('text');
    expect(parsePytestLine('t.py ::x PASSED [ 50%]', false).kind).toBe('text');
    expect(parsePytestLine('t.py::test_a[a b] PASSED [ 50%]', false)).toMatchObject({ kind: 'outcome', test: 't.py::test_a[a b]' });
    expect(parsePytestLine('t.py::test_a some output', false)).toEqual({ kind: 'start', test: 't.py::test_a', rest: 'some output' });
    expect(parsePytestLine('t.py::test_a', false)).toEqual({ kind: 'start', test: 't.py::test_a', rest: '' });
  });

  it('recognises bare outcomes and collection problems only at the start of the line', () => {
    expect(parsePytestLine('XFAIL (flaky)   [ 10%]', false)).toEqual({ kind: 'bare-outcome', outcome: 'XFAIL' });
    expect(parsePytestLine(' PASSED   [ 10%]', false).kind).toBe('text');
    expect(parsePytestLine('ERROR: not found: /suite/t.py::nope', false)).toEqual({ kind: 'collection-problem', text: 'ERROR: not found: /suite/t.py::nope' });
    expect(parsePytestLine('collecting ... no tests ran in 0.01s', false)).toEqual({ kind: 'collection-problem', text: 'no tests ran in 0.01s' });
    expect(parsePytestLine('Interrupted: 1 error during collection', false).kind).toBe('collection-problem');
    expect(parsePytestLine('log: ERROR: not found: x', false).kind).toBe('text');
  });

  it('returns one shared, frozen object for plain text', () => {
    const first = parsePytestLine('2026-05-12 08:24:34.668 INFO     dynamo.router: ready', false);
    expect(first).toEqual({ kind: 'text' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(parsePytestLine('another line', false)).toBe(first);
  });
});
