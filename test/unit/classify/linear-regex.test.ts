import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RunClassifier } from '../../../src/classify/classifier.js';
import type { ResultMessage } from '../../../src/classify/classify-pool-protocol.js';
import { compileLinear } from '../../../src/classify/linear-regex.js';
import { compileTaxonomy, loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import { UsageError } from '../../../src/core/errors.js';
import { compileClassifyWorker } from './compiled-worker.js';
import { HEADER } from './helpers.js';

/** Forty `a`s and a `!`: exponential work for `^(a+)+$` in a backtracking engine (it hangs for ever). */
const HOSTILE = `${'a'.repeat(40)}!`;
const CATASTROPHIC = { name: 'hostile', rules: [{ id: 'EVIL', title: 'nested quantifiers', kind: 'test-bug', patterns: ['^(a+)+$', '(x+x+)+y'] }] };

const hostileLog = [HEADER, 't.py::test_x ', HOSTILE, 'x'.repeat(5000), 't.py::test_x FAILED                                                    [100%]'].join('\n');

describe('taxonomy patterns run in linear time', () => {
  it('a catastrophic pattern on the line that makes it backtrack classifies in bounded time', () => {
    const taxonomy = compileTaxonomy(CATASTROPHIC, '/hostile.json');
    const started = performance.now();
    const classifier = new RunClassifier(taxonomy, 'serial', 'pytest');
    for (const line of hostileLog.split('\n')) classifier.line(line);
    const c = classifier.finish({ exitCode: 1, killedBy: null });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(c.failures.map((f) => f.test)).toEqual(['t.py::test_x']);
  });

  it.each([
    ['(?<=worker )gw\\d+', 'it has a lookaround ((?=, (?!, (?<=, (?<!)'],
    ['Timeout(?! ignored)', 'it has a lookaround ((?=, (?!, (?<=, (?<!)'],
    ["(['\"])gw\\d+\\1", 'it has a back-reference (\\1, \\k<name>)'],
    ['x{50}', 'it repeats {50} times (at most 16 are allowed: use + or *)'],
  ])('refuses %s when the taxonomy is loaded: one line with the file, the rule and why', async (pattern, why) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flakehunt-linear-'));
    try {
      const file = path.join(dir, 'mine.json');
      writeFileSync(file, JSON.stringify({ name: 'mine', rules: [{ id: 'OK', title: 'fine', kind: 'test-bug', patterns: ['boom'] }, { id: 'SLOW', title: 'slow', kind: 'test-bug', when: { message: ['fine', pattern] } }] }));
      const error = await loadTaxonomy(file).catch((e: Error) => e);
      expect(error).toBeInstanceOf(UsageError);
      const message = (error as Error).message;
      expect(message).toBe(
        `taxonomy ${file}: rule #2 (SLOW): "when": message pattern #2 ${JSON.stringify(pattern)} cannot be matched in linear time, so a long line could make it run for ever: ${why}`,
      );
      expect(message.split('\n')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('flags are not supported (the linear-time engine cannot ignore case): (?i) does not compile', () => {
    expect(() => compileLinear('(?i)huggingface')).toThrow(/^does not compile: Invalid regular expression: .*Invalid group/);
    expect(compileLinear('[Hh]ugging ?[Ff]ace').test('Hugging Face')).toBe(true);
  });

  it('every pattern of the bundled and generic taxonomies passes', async () => {
    const taxonomy = await loadTaxonomy();
    expect(taxonomy.rules.length).toBeGreaterThan(10);
  });
});

describe('in a worker thread of the classify pool', () => {
  let compiled: ReturnType<typeof compileClassifyWorker>;
  let dir: string;
  beforeAll(() => {
    compiled = compileClassifyWorker();
    dir = mkdtempSync(path.join(os.tmpdir(), 'flakehunt-linear-worker-'));
  });
  afterAll(() => {
    compiled.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a worker that never switches the fallback on has it too: V8 flags are per process', async () => {
    const worker = new Worker("require('node:worker_threads').parentPort.postMessage(/^(a+)+$/.test('a'.repeat(40) + '!'))", { eval: true });
    try {
      const started = performance.now();
      const matched = await new Promise((resolve) => worker.once('message', resolve));
      expect(matched).toBe(false);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await worker.terminate();
    }
  });

  it('the classify worker loads the generic layer and classifies the hostile log in bounded time', async () => {
    const log = path.join(dir, 'run.log');
    writeFileSync(log, hostileLog);
    const worker = new Worker(compiled.workerScript, { workerData: { taxonomy: CATASTROPHIC, source: '/hostile.json' } });
    try {
      const started = performance.now();
      const answer = await new Promise<ResultMessage>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ id: 1, job: { log, artifactsDir: null, parallelism: 'serial', mode: 'pytest', exit: { exitCode: 1, killedBy: null } } });
      });
      expect(performance.now() - started).toBeLessThan(5000);
      expect(answer).toMatchObject({ id: 1, ok: true });
      expect(answer.ok && answer.result.failures.map((f) => f.test)).toEqual(['t.py::test_x']);
    } finally {
      await worker.terminate();
    }
  });
});
