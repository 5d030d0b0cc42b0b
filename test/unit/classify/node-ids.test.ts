import { describe, expect, it } from 'vitest';

import { isOwnCode, NodeIdCanon, splitNodeid } from '../../../src/classify/node-ids.js';

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
