import { describe, expect, it } from 'vitest';

import { junitNames } from '../../../../src/report/junit/node-id.js';

// Expected values are what pytest's junitxml (mangle_test_address, then classname = '.'.join(names[:-1])) gives.
describe('junitNames', () => {
  it('splits a function node id into dotted module path and test name', () => {
    expect(junitNames('tests/router/test_router.py::test_decisions')).toEqual({ classname: 'tests.router.test_router', name: 'test_decisions' });
  });

  it('keeps a class in the classname', () => {
    expect(junitNames('tests/test_a.py::TestX::test_b')).toEqual({ classname: 'tests.test_a.TestX', name: 'test_b' });
  });

  it('keeps parameters whole, even with :: / and . inside them', () => {
    expect(junitNames('tests/test_a.py::test_p[a::b/c.py-1.5]')).toEqual({ classname: 'tests.test_a', name: 'test_p[a::b/c.py-1.5]' });
  });

  it('gives a bare module an empty classname and the dotted path as name', () => {
    expect(junitNames('tests/test_a.py')).toEqual({ classname: '', name: 'tests.test_a' });
  });

  it('only strips .py at the end of the path', () => {
    expect(junitNames('tests/a.pyx/test_b.py::test_c')).toEqual({ classname: 'tests.a.pyx.test_b', name: 'test_c' });
  });
});
