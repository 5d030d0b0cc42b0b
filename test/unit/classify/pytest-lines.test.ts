import { describe, expect, it } from 'vitest';

import { parsePytestLine } from '../../../src/classify/pytest-lines.js';

/** White space of every kind `\s` knows, and characters that look like it but are not. */
const TRAILERS = [' ', '\t', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u2028', '\u2029', '\u202f', '\u3000', '\ufeff', '\u180e', '\u200b', '\u0085', '\x7f', 'x', '.'];

describe('parsePytestLine: the cheap tests in front of the regexes', () => {
  it('an outcome line may end in any white space \\s knows; anything else after it is glued on, and kept apart', () => {
    for (const trailer of TRAILERS) {
      const serial = parsePytestLine(`t.py::test_a PASSED                  [ 50%]${trailer}${trailer}`, false);
      const bare = parsePytestLine(`FAILED                  [100%]${trailer}`, false);
      const glued = !/\s/.test(trailer);
      expect(serial, JSON.stringify(trailer)).toEqual({ kind: 'outcome', test: 't.py::test_a', outcome: 'PASSED', worker: null, ...(glued ? { rest: trailer + trailer } : {}) });
      expect(bare, JSON.stringify(trailer)).toEqual({ kind: 'bare-outcome', outcome: 'FAILED', ...(glued ? { rest: trailer } : {}) });
    }
  });

  it("another process's output glued after an outcome: the outcome, and the rest as a line of its own", () => {
    expect(parsePytestLine('test_known.py::test_leaks_secret FAILED     [ 87%]Fatal Python error: Aborted', false)).toEqual({
      kind: 'outcome',
      test: 'test_known.py::test_leaks_secret',
      outcome: 'FAILED',
      worker: null,
      rest: 'Fatal Python error: Aborted',
    });
    expect(parsePytestLine('PASSED [ 50%]Current thread 0x00007f (most recent call first):', false)).toEqual({ kind: 'bare-outcome', outcome: 'PASSED', rest: 'Current thread 0x00007f (most recent call first):' });
    expect(parsePytestLine('[gw0] [ 50%] PASSED t.py::test_y Fatal Python error: Aborted', false)).toEqual({
      kind: 'outcome',
      test: 't.py::test_y',
      outcome: 'PASSED',
      worker: 'gw0',
      rest: ' Fatal Python error: Aborted',
    });
    // White space in a node id is only inside its brackets: what follows a space is glued on.
    expect(parsePytestLine('test_abort.py::test_fails_first Fatal Python error: FAILED                                   [ 50%]', false)).toEqual({
      kind: 'start',
      test: 'test_abort.py::test_fails_first',
      rest: 'Fatal Python error: FAILED                                   [ 50%]',
    });
    // A start line whose rest is not an outcome stays the test's own output.
    expect(parsePytestLine('t.py::test_a PASSED but not really', false)).toEqual({ kind: 'start', test: 't.py::test_a', rest: 'PASSED but not really' });
  });

  it('reads the rootdir from the header and the invocation directory from xdist\'s worker lines', () => {
    expect(parsePytestLine('rootdir: /usr/lib/python3/dist-packages/fhpkg/test', false)).toEqual({ kind: 'rootdir', dir: '/usr/lib/python3/dist-packages/fhpkg/test' });
    expect(parsePytestLine('rootdir: /suite, configfile: pytest.ini', false)).toEqual({ kind: 'rootdir', dir: '/suite' });
    expect(parsePytestLine('  rootdir: /suite', false).kind).toBe('text');
    expect(parsePytestLine('[gw0] linux Python 3.11.2 cwd: /suite', false)).toEqual({ kind: 'worker-cwd', dir: '/suite' });
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
