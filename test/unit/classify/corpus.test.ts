import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { classifyLog } from '../../../src/classify/classify-log.js';
import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';

/** Real console logs of pytest, pytest-xdist and pytest-timeout (see test/fixtures/corpus/README.md). */
const CORPUS = path.resolve('test/fixtures/corpus');

interface Expected {
  exitCode: number;
  parallelism: string;
  failures: Array<{ test: string; class: string }>;
  passed: string[];
}

const cases = readdirSync(CORPUS).filter((name) => statSync(path.join(CORPUS, name)).isDirectory());

describe('classification of the real-log corpus', () => {
  it('has a case for every way of failing, serial and under xdist', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of cases) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as Expected;
      const result = await classifyLog({
        log: path.join(CORPUS, name, 'run.log'),
        artifactsDir: null,
        taxonomy: await loadTaxonomy(),
        parallelism: expected.parallelism === 'serial' ? 'serial' : 'xdist',
        mode: 'pytest',
        exit: { exitCode: expected.exitCode, killedBy: null },
      });
      const got = result.failures.map((f) => ({ test: f.test, class: f.class })).sort((a, b) => String(a.test).localeCompare(String(b.test)));
      const want = [...expected.failures].sort((a, b) => a.test.localeCompare(b.test));
      expect(got).toEqual(want);
      for (const failure of result.failures) expect(failure.message.length).toBeGreaterThan(0);
      if (want.length > 0) expect(result.status).toBe('failed');
      else if (expected.exitCode === 0) expect(result.status).toBe('passed');
      else {
        expect(result.status).toBe('error');
        expect(result.collectionFailure).toBe(true);
      }
      if (expected.passed.length > 0) expect(result.tests.passed).toBe(expected.passed.length);
    });
  }
});
