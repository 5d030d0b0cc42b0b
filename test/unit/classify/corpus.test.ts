import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { RunExit } from '../../../src/classify/classification.js';
import { classifyLog } from '../../../src/classify/classify-log.js';
import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';

/** Real console logs of pytest, pytest-xdist and pytest-timeout (see test/fixtures/corpus/README.md). */
const CORPUS = path.resolve('test/fixtures/corpus');

interface Expected {
  exitCode: number;
  parallelism: string;
  /** `signatureText`, when given, was checked by hand against the log. */
  failures: Array<{ test: string | null; class: string; signatureText?: string }>;
  passed: string[];
  /** For cases whose pytest could not start: the one-line note. */
  note?: string;
  /** What the executor knew about the end of the run besides its exit code (docker inspect). */
  exit?: Partial<RunExit>;
  /** For a console recorded with the plugin's reports: what the console alone must give. */
  consoleAlone?: Array<{ test: string | null; class: string }>;
}

const cases = readdirSync(CORPUS).filter((name) => statSync(path.join(CORPUS, name)).isDirectory());

async function classifyCase(name: string, expected: Expected, withPlugin = true) {
  const artifacts = path.join(CORPUS, name, 'artifacts');
  return classifyLog({
    log: path.join(CORPUS, name, 'run.log'),
    artifactsDir: withPlugin && existsSync(artifacts) ? artifacts : null,
    taxonomy: await loadTaxonomy(),
    parallelism: expected.parallelism === 'serial' ? 'serial' : 'xdist',
    mode: 'pytest',
    exit: { exitCode: expected.exitCode, killedBy: null, ...expected.exit },
  });
}

const byTest = (a: { test: string | null }, b: { test: string | null }) => String(a.test).localeCompare(String(b.test));

describe('classification of the real-log corpus', () => {
  it('has a case for every way of failing, serial and under xdist', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of cases) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as Expected;
      const result = await classifyCase(name, expected);
      const withText = expected.failures.some((f) => f.signatureText !== undefined);
      const got = result.failures.map((f) => ({ test: f.test, class: f.class, ...(withText ? { signatureText: f.signatureText } : {}) })).sort(byTest);
      expect(got).toEqual([...expected.failures].sort(byTest));
      for (const failure of result.failures) {
        expect(failure.message.length).toBeGreaterThan(0);
        expect(failure.signature).toBe(createHash('sha256').update(failure.signatureText!).digest('hex').slice(0, 12));
      }
      if (expected.failures.length > 0) expect(result.status).toBe('failed');
      else if (expected.exitCode === 0) expect(result.status).toBe('passed');
      else {
        expect(result.status).toBe('error');
        expect(result.collectionFailure).toBe(true);
        if (expected.note !== undefined) expect(result.note).toBe(expected.note);
      }
      if (expected.passed.length > 0) expect(result.tests.passed).toBe(expected.passed.length);
    });
  }

  it('the console alone (no plugin reports) still ties every crash to the test that died, whatever the interleaving', async () => {
    const withAlone = cases.filter((c) => (JSON.parse(readFileSync(path.join(CORPUS, c, 'expected.json'), 'utf8')) as Expected).consoleAlone !== undefined);
    expect(withAlone.length).toBeGreaterThanOrEqual(9);
    for (const name of withAlone) {
      const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as Expected;
      const got = (await classifyCase(name, expected, false)).failures.map((f) => ({ test: f.test, class: f.class })).sort(byTest);
      expect(got, name).toEqual([...expected.consoleAlone!].sort(byTest));
    }
  });

  it("the plugin's reports and the console alone give the same failures and signatures when the console is whole", async () => {
    for (const name of cases.filter((c) => existsSync(path.join(CORPUS, c, 'artifacts')) && c.startsWith('signatures_'))) {
      const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as Expected;
      const strip = (c: Awaited<ReturnType<typeof classifyCase>>) => c.failures.map((f) => [f.test, f.class, f.phase, f.signature]);
      expect(strip(await classifyCase(name, expected, false)), name).toEqual(strip(await classifyCase(name, expected)));
    }
  });
});
