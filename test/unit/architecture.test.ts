import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/**
 * Which folders of src/ each folder may import from: layers only look down. The same table is in
 * the README's Architecture section.
 */
const ALLOWED: Record<string, string[]> = {
  core: [],
  stats: ['core'],
  store: ['core'],
  classify: ['core', 'stats'],
  executors: ['core', 'stats', 'store'],
  sweep: ['core', 'stats', 'store', 'classify', 'executors'],
  report: ['core', 'stats', 'store', 'classify'],
  ui: ['core', 'store', 'report'],
  config: ['core', 'store', 'classify', 'executors', 'sweep'],
  cli: ['core', 'stats', 'store', 'classify', 'executors', 'sweep', 'report', 'ui', 'config'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative module a file imports, statically or with import(), resolved to a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((specifier) => path.relative(SRC, path.resolve(path.dirname(file), specifier)));
}

const files = sourceFiles(SRC).map((file) => ({ file: path.relative(SRC, file), imports: importsOf(file) }));
const layerOf = (relative: string) => relative.split(path.sep)[0]!;

describe('architecture', () => {
  it('knows every folder of src/', () => {
    expect([...new Set(files.map((f) => layerOf(f.file)))].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('no module imports from a layer above it', () => {
    const forbidden = files.flatMap(({ file, imports }) => {
      const from = layerOf(file);
      return imports.filter((target) => layerOf(target) !== from && !ALLOWED[from]!.includes(layerOf(target))).map((target) => `${file} → ${target}`);
    });
    expect(forbidden).toEqual([]);
  });

  it('only the executor registry knows the back ends: nothing outside executors/ imports one', () => {
    const backEnd = /^executors\/(?!executor\.|registry\.|labels\.)[^/]+\//;
    const reaching = files.flatMap(({ file, imports }) =>
      imports.filter((target) => backEnd.test(target) && !file.startsWith(target.split('/').slice(0, 2).join('/'))).map((target) => `${file} → ${target}`));
    // The swarm speaks the Docker API too: it shares the Docker back end's client, errors and spec mapping.
    const allowed = (edge: string) => edge.startsWith('executors/registry.ts') || /^executors\/swarm\/.* → executors\/docker\//.test(edge);
    expect(reaching.filter((edge) => !allowed(edge))).toEqual([]);
  });

  it('finds imports at all (the check above is not vacuous)', () => {
    expect(files.find((f) => f.file === path.join('sweep', 'sweep-runner.ts'))!.imports).toContain(path.join('store', 'layout.js'));
  });
});
