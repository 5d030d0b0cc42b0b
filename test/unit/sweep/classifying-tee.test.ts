import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { classifyLog } from '../../../src/classify/classify-log.js';
import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import type { Taxonomy } from '../../../src/classify/taxonomy-types.js';
import { ClassifyingTee } from '../../../src/sweep/classifying-tee.js';

const CORPUS = path.resolve('test/fixtures/corpus');
const cases = readdirSync(CORPUS).filter((name) => statSync(path.join(CORPUS, name)).isDirectory());

/** Splits bytes into chunks of changing, awkward sizes (lines and UTF-8 characters cut in two). */
function* chunksOf(bytes: Buffer): Generator<Buffer> {
  const sizes = [1, 7, 4096, 3, 65_536, 13];
  for (let at = 0, k = 0; at < bytes.length; k += 1) {
    const size = sizes[k % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

describe('ClassifyingTee', () => {
  let taxonomy: Taxonomy;
  let dir: string;
  beforeAll(async () => {
    taxonomy = await loadTaxonomy();
    dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-tee-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const name of cases) {
    it(`passes ${name} through unchanged and classifies it as classifyLog does from the file`, async () => {
      const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as { exitCode: number; parallelism: string };
      const parallelism = expected.parallelism === 'serial' ? 'serial' : 'xdist';
      const bytes = readFileSync(path.join(CORPUS, name, 'run.log'));
      const tee = new ClassifyingTee(taxonomy, parallelism, 'pytest');
      const copy = path.join(dir, `${name}.log`);
      await pipeline(Readable.from(chunksOf(bytes)), tee, createWriteStream(copy));
      expect((await readFile(copy)).equals(bytes)).toBe(true);
      expect(tee.complete).toBe(true);
      const exit = { exitCode: expected.exitCode, killedBy: null };
      const offline = await classifyLog({ log: copy, artifactsDir: null, taxonomy, parallelism, mode: 'pytest', exit });
      expect(tee.finish(exit, [])).toEqual(offline);
    });
  }

  it('refuses to answer before the output has ended', () => {
    const tee = new ClassifyingTee(taxonomy, 'serial', 'pytest');
    tee.write(Buffer.from('tests/x.py::test_a PASSED [100%]\n'));
    expect(tee.complete).toBe(false);
    expect(() => tee.finish({ exitCode: 0, killedBy: null }, [])).toThrow(/before the end/);
  });
});
