import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { writeFileAtomic, writeJsonAtomic } from '../../../src/store/atomic-write.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes the contents and leaves no temp file behind', async () => {
    const file = path.join(dir, 'out.txt');
    await writeFileAtomic(file, 'first\n');
    expect(await readFile(file, 'utf8')).toBe('first\n');
    await writeFileAtomic(file, 'second, longer\n');
    expect(await readFile(file, 'utf8')).toBe('second, longer\n');
    await writeFileAtomic(file, '');
    expect(await readFile(file, 'utf8')).toBe('');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });

  it('keeps UTF-8 intact', async () => {
    const file = path.join(dir, 'utf8.txt');
    const text = 'naïve ✓ 🚀 日本語\n';
    await writeFileAtomic(file, text);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('20 concurrent writers of large distinct contents never leave a torn file, and readers never see one', async () => {
    const file = path.join(dir, 'contended.txt');
    // 20 contents of 1 MiB each, every one a single repeated line with its own marker.
    const contents = Array.from({ length: 20 }, (_, i) => `writer ${String(i).padStart(2, '0')} ${'abcdefghij'.repeat(20)}\n`.repeat(4800));
    const valid = new Set(contents);
    let writing = true;
    const torn: string[] = [];
    let reads = 0;
    // Read continuously while the writers run: every read must be one whole version.
    const reader = (async () => {
      while (writing) {
        try {
          const seen = await readFile(file, 'utf8');
          reads += 1;
          if (!valid.has(seen)) torn.push(`${seen.length} chars starting ${JSON.stringify(seen.slice(0, 12))}`);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    })();
    await Promise.all(contents.map((text) => writeFileAtomic(file, text)));
    writing = false;
    await reader;
    expect(torn).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    const final = await readFile(file, 'utf8');
    expect(valid.has(final)).toBe(true);
    expect(await readdir(dir)).toEqual(['contended.txt']);
  });

  it('removes its temp file and rejects when the target cannot be replaced', async () => {
    // A non-empty folder where the file should go: the rename fails after the temp file was written.
    const target = path.join(dir, 'occupied');
    await mkdir(target);
    await writeFile(path.join(target, 'keep.txt'), 'kept');
    await expect(writeFileAtomic(target, 'new contents')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['occupied']);
    expect(await readFile(path.join(target, 'keep.txt'), 'utf8')).toBe('kept');
  });

  it('rejects when the folder does not exist, creating nothing', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'out.txt'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('writeJsonAtomic', () => {
  it('writes indented JSON with a trailing newline', async () => {
    const file = path.join(dir, 'value.json');
    await writeJsonAtomic(file, { a: 1, b: ['x'] });
    const text = await readFile(file, 'utf8');
    expect(text).toBe('{\n  "a": 1,\n  "b": [\n    "x"\n  ]\n}\n');
    expect(JSON.parse(text)).toEqual({ a: 1, b: ['x'] });
  });
});
