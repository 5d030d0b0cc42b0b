#!/usr/bin/env node
// Bundles the compiled dist/ into dist/bundle/ (run by `npm run build`, after tsc). Node 20 has no
// compile cache, so every command used to resolve, read and compile ~150 ES modules of dist/ and
// its dependencies at start-up: about 0.12 s of CPU, 0.07 s of wall time, on every `flakehunt` run.
// The bundle is a handful of files. Code splitting keeps the lazily imported executors lazy.
//
// - classify-worker.js is a second entry: classify-pool.ts starts it as a worker by its URL next to
//   the module that asks.
// - Chunks sit at dist/bundle/*.js, two folders below the repository like dist/<folder>/*.js, so
//   `new URL('../../templates/…', import.meta.url)` finds templates/ from either.
// - dockerode is not bundled: load-dockerode.ts loads it with require() to defer parts of it.
// - CommonJS dependencies (proper-lockfile, cli-progress, …) call require() for Node's built-in
//   modules, which an ES module must be given.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/bundle');

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js', 'classify-worker': 'dist/classify/classify-worker.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['dockerode'],
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
