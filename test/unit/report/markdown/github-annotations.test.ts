import { describe, expect, it } from 'vitest';

import { errorCommand, escapeData, escapeProperty, githubAnnotations, nodeIdFile } from '../../../../src/report/markdown/github-annotations.js';
import { summarize } from '../../../../src/report/summarize.js';
import { info, result, RULES } from '../fixtures.js';

describe('GitHub workflow-command escaping', () => {
  it('escapes % CR LF in data, and also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext: a,b');
    expect(escapeProperty('C:\\x,y%\n')).toBe('C%3A\\x%2Cy%25%0A');
  });

  it('escapes % first, so an existing %0A stays literal', () => {
    expect(escapeData('%0A')).toBe('%250A');
  });

  it('builds ::error with the given properties in order, skipping empty ones', () => {
    expect(errorCommand('boom\nbang', [['file', 'a,b.py'], ['line', undefined], ['title', 'x: y']])).toBe('::error file=a%2Cb.py,title=x%3A y::boom%0Abang');
    expect(errorCommand('m', [])).toBe('::error::m');
  });
});

describe('githubAnnotations', () => {
  const summary = summarize(
    [
      result(1, 'failed', [
        { test: 'tests/a_test.py::test_x[1,2]', class: 'A1', message: 'AssertionError: 1 != 2\nmore' },
        { test: 'go-test-without-file', class: 'A2', message: 'panic' },
      ]),
      result(2, 'failed', [{ test: 'tests/a_test.py::test_x[1,2]', class: 'A1', message: 'again' }]),
      result(3, 'passed'),
      result(4, 'failed', [{ test: null, class: 'A5', message: 'network' }]),
    ],
    info('serial_fix8'),
    RULES,
  );

  it('annotates failing tests whose file is known, with rate and first message', () => {
    expect(githubAnnotations(summary)).toEqual([
      '::error file=tests/a_test.py,title=flaky test (flakehunt serial_fix8)::tests/a_test.py::test_x[1,2] failed in 2 of 4 iterations ' +
        '(50.0%25, 95%25 CI 15.0–85.0%25); classes A1. First message: AssertionError: 1 != 2 more',
    ]);
  });

  it('uses a given location, with its line, and skips tests it cannot place', () => {
    const lines = githubAnnotations(summary, { locate: (test) => (test.startsWith('go-') ? { file: 'pkg/x_test.go', line: 42 } : null) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error file=pkg\/x_test\.go,line=42,title=flaky test \(flakehunt serial_fix8\)::go-test-without-file failed in 1 of 4/);
  });

  it('stops at the maximum', () => {
    const many = summarize(
      Array.from({ length: 15 }, (_, i) => result(i + 1, 'failed', [{ test: `t/test_${i}.py::test`, class: 'A1', message: 'x' }])),
      info('s'),
      RULES,
    );
    expect(githubAnnotations(many)).toHaveLength(10);
    expect(githubAnnotations(many, { max: 3 })).toHaveLength(3);
  });

  it('finds the file of pytest node ids only', () => {
    expect(nodeIdFile('tests/x.py::TestA::test_b[c::d]')).toEqual({ file: 'tests/x.py' });
    expect(nodeIdFile('tests/x.py')).toBeNull();
    expect(nodeIdFile('TestSomething/sub')).toBeNull();
  });
});
