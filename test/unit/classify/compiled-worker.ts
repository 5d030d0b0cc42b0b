import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import ts from 'typescript';

/** The folders of src/ the classify worker's imports reach. */
const WORKER_SOURCES = ['classify', 'core'];

/**
 * The classify pool's worker compiled from the current sources into a temporary folder laid out
 * as the repository is (dist/…, templates/taxonomy/ for the generic layer): a worker thread runs
 * plain JavaScript, and dist/ may be stale or missing when the unit tests run.
 */
export function compileClassifyWorker(): { workerScript: URL; remove: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flakehunt-worker-'));
  const out = path.join(root, 'dist');
  mkdirSync(out);
  writeFileSync(path.join(root, 'package.json'), '{"type":"module"}\n');
  for (const folder of WORKER_SOURCES) {
    mkdirSync(path.join(out, folder));
    for (const name of readdirSync(path.join('src', folder)).filter((n) => n.endsWith('.ts'))) {
      const source = readFileSync(path.join('src', folder, name), 'utf8');
      const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
      writeFileSync(path.join(out, folder, name.replace(/\.ts$/, '.js')), outputText);
    }
  }
  cpSync(path.join('templates', 'taxonomy'), path.join(root, 'templates', 'taxonomy'), { recursive: true });
  return { workerScript: pathToFileURL(path.join(out, 'classify', 'classify-worker.js')), remove: () => rmSync(root, { recursive: true, force: true }) };
}
