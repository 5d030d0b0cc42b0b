import { describe, expect, it } from 'vitest';

import { isOwnCode, NodeIdCanon, splitNodeid } from '../../../src/classify/node-ids.js';
import { classify, HEADER } from './helpers.js';

const PKG = '/usr/lib/python3/dist-packages/fhpkg/test';
const FILE = `${PKG}/test_installed.py`;

describe('NodeIdCanon: one name per test', () => {
  it('started in the rootdir: every form is already the canonical one', () => {
    const canon = new NodeIdCanon({ rootdir: '/suite', invocationDir: '/suite' }, [{ nodeid: 'tests/x.py::test_a[1]', path: '/suite/tests/x.py' }]);
    expect(canon.console('tests/x.py::test_a[1]')).toBe('tests/x.py::test_a[1]');
    expect(canon.pytest('tests/x.py::test_a[1]')).toBe('tests/x.py::test_a[1]');
    expect(canon.console('tests/y.py::TestB::test_c')).toBe('tests/y.py::TestB::test_c');
  });

  // As pytest 7.2 printed them in the image, for --pytest-nodeid /usr/lib/python3/dist-packages/fhpkg/test/test_installed.py::TestInstalled.
  it('a test file outside the rootdir and the invocation directory: its absolute path, from every form', () => {
    const started = [{ nodeid: 'test_installed.py::TestInstalled::test_fails', path: FILE }];
    const canon = new NodeIdCanon({ rootdir: PKG, invocationDir: '/suite' }, started);
    const canonical = `${FILE}::TestInstalled::test_fails`;
    expect(canon.console('../usr/lib/python3/dist-packages/fhpkg/test/test_installed.py::TestInstalled::test_fails')).toBe(canonical);
    expect(canon.pytest('test_installed.py::TestInstalled::test_fails')).toBe(canonical);
    // A test the plugin never saw start (xdist's crash line names it as pytest keeps it).
    expect(canon.pytest('test_installed.py::TestInstalled::test_aborts')).toBe(`${FILE}::TestInstalled::test_aborts`);
  });

  it('with --rootdir elsewhere pytest keeps `::TestInstalled::test_fails`: only the plugin says which file', () => {
    const canon = new NodeIdCanon({ rootdir: '/suite', invocationDir: '/suite' }, [{ nodeid: '::TestInstalled::test_fails', path: FILE }]);
    expect(canon.console('::TestInstalled::test_fails')).toBe(`${FILE}::TestInstalled::test_fails`);
    expect(canon.pytest('::TestInstalled::test_fails')).toBe(`${FILE}::TestInstalled::test_fails`);
    expect(new NodeIdCanon({ rootdir: '/suite', invocationDir: null }).console('::TestInstalled::test_fails')).toBe('::TestInstalled::test_fails');
  });

  it('no plugin, no invocation directory: a console path that climbs all the way up and lands in the rootdir is absolute', () => {
    const canon = new NodeIdCanon({ rootdir: PKG, invocationDir: null }, [], true);
    expect(canon.console('../usr/lib/python3/dist-packages/fhpkg/test/test_installed.py::TestInstalled::test_fails')).toBe(`${FILE}::TestInstalled::test_fails`);
    expect(canon.pytest('test_installed.py::TestInstalled::test_fails')).toBe(`${FILE}::TestInstalled::test_fails`);
  });

  it('started below the rootdir: names relative to where pytest started', () => {
    const canon = new NodeIdCanon({ rootdir: '/suite', invocationDir: '/suite/tests' }, [{ nodeid: 'tests/test_x.py::test_a', path: '/suite/tests/test_x.py' }]);
    expect(canon.console('test_x.py::test_a')).toBe('test_x.py::test_a');
    expect(canon.pytest('tests/test_x.py::test_a')).toBe('test_x.py::test_a');
    expect(canon.pytest('other/test_y.py::test_b')).toBe('/suite/other/test_y.py::test_b');
  });

  it('frame paths: relative to the invocation directory inside it, absolute outside; pseudo-files as they are', () => {
    const canon = new NodeIdCanon({ rootdir: '/suite', invocationDir: '/suite' });
    expect(canon.filePath('/suite/tests/common.py')).toBe('tests/common.py');
    expect(canon.filePath('tests/common.py')).toBe('tests/common.py');
    expect(canon.filePath('/usr/lib/python3/dist-packages/requests/adapters.py')).toBe('/usr/lib/python3/dist-packages/requests/adapters.py');
    expect(canon.filePath('<frozen runpy>')).toBe('<frozen runpy>');
  });

  it('splitNodeid', () => {
    expect(splitNodeid('a/b.py::C::t[x::y]')).toEqual(['a/b.py', '::C::t[x::y]']);
    expect(splitNodeid('a/b.py')).toEqual(['a/b.py', '']);
  });
});

describe("isOwnCode: the test's own frames", () => {
  it.each([
    ['tests/router/common.py', 'tests/router/test_x.py', true],
    ['/opt/app/src/router.py', 'tests/test_x.py', true],
    ['/usr/lib/python3/dist-packages/requests/adapters.py', 'tests/test_x.py', false],
    ['/usr/local/lib/python3.11/site-packages/urllib3/connectionpool.py', 'tests/test_x.py', false],
    ['/usr/lib/python3.11/socket.py', 'tests/test_x.py', false],
    ['<frozen runpy>', 'tests/test_x.py', false],
    // A test shipped in an installed package owns that package, not its neighbours.
    ['/usr/lib/python3/dist-packages/fhpkg/helpers.py', FILE, true],
    ['/usr/lib/python3/dist-packages/requests/api.py', FILE, false],
  ])('%s (test in %s): %s', (file, testFile, own) => {
    expect(isOwnCode(file, testFile)).toBe(own);
  });
});

describe('a parameter id with white space after a `]`, under xdist', () => {
  // pytest-xdist's line ends with the node id, but so may another process's glued text: the
  // console's reading stops at a `]` followed by a space. The plugin knows the whole id.
  it('the cut-short console id is the started test that continues it, when exactly one does', () => {
    const started = ['t.py::test_rates[dollar[legacy] mode]', 't.py::test_rates[euro zone [primary]]', 't.py::test_b[a] x]', 't.py::test_b[a] y]'];
    const canon = new NodeIdCanon({ rootdir: '/suite', invocationDir: '/suite' }, started.map((nodeid) => ({ nodeid, path: '/suite/t.py' })));
    expect(canon.console('t.py::test_rates[dollar[legacy]')).toBe('t.py::test_rates[dollar[legacy] mode]');
    expect(canon.console('t.py::test_rates[euro')).toBe('t.py::test_rates[euro zone [primary]]');
    // Two started tests continue it: neither is guessed.
    expect(canon.console('t.py::test_b[a]')).toBe('t.py::test_b[a]');
    expect(canon.console('t.py::test_rates[dollar')).toBe('t.py::test_rates[dollar');
  });

  it('a failing test with such an id is one failure under its whole id, not two', async () => {
    const id = 't.py::test_rates[dollar[legacy] mode]';
    const log = [
      HEADER,
      'created: 2/2 workers',
      '2 workers [2 items]',
      '',
      `[gw1] [ 50%] PASSED t.py::test_other `,
      `[gw0] [100%] FAILED ${id} `,
      '',
      '=================================== FAILURES ===================================',
      '______________________ test_rates[dollar[legacy] mode] ________________________',
      '[gw0] linux -- Python 3.11.2 /usr/bin/python3',
      '',
      '    def test_rates(p):',
      '>       assert False, "rate drifted"',
      'E       AssertionError: rate drifted',
      '',
      't.py:3: AssertionError',
      '=========================== short test summary info ============================',
      `FAILED ${id} - AssertionError: rate drifted`,
      '========================= 1 failed, 1 passed in 0.12s ==========================',
    ].join('\n');
    const plugin = [
      { event: 'session' as const, rootdir: '/suite', invocationDir: '/suite', worker: 'gw0' },
      { event: 'start' as const, nodeid: id, worker: 'gw0', path: '/suite/t.py' },
      { event: 'report' as const, nodeid: id, worker: 'gw0', when: 'call' as const, outcome: 'failed' as const, exception: 'AssertionError', message: 'rate drifted' },
      { event: 'report' as const, nodeid: id, worker: 'gw0', when: 'teardown' as const, outcome: 'passed' as const },
      { event: 'finish' as const, worker: 'gw0' },
      { event: 'session' as const, rootdir: '/suite', invocationDir: '/suite', worker: 'gw1' },
      { event: 'start' as const, nodeid: 't.py::test_other', worker: 'gw1', path: '/suite/t.py' },
      { event: 'report' as const, nodeid: 't.py::test_other', worker: 'gw1', when: 'teardown' as const, outcome: 'passed' as const },
      { event: 'finish' as const, worker: 'gw1' },
    ];
    const c = await classify(log, { parallelism: 'xdist', plugin });
    expect(c.failures.map((f) => f.test)).toEqual([id]);
    expect(c.failures[0]!.message).toContain('rate drifted');
  });
});
