import type { Classification, Parallelism, PluginEvent, RunExit, RunnerMode } from '../../../src/classify/classification.js';
import { RunClassifier } from '../../../src/classify/classifier.js';
import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import type { Taxonomy } from '../../../src/classify/taxonomy-types.js';

let bundled: Taxonomy | null = null;

/** The bundled taxonomy (templates/taxonomy/dynamo-router.json), loaded once. */
export async function taxonomy(): Promise<Taxonomy> {
  bundled ??= await loadTaxonomy();
  return bundled;
}

export interface Run {
  parallelism?: Parallelism;
  mode?: RunnerMode;
  exit?: Partial<RunExit>;
  plugin?: PluginEvent[];
}

/** Feeds a synthetic console log through RunClassifier line by line and finishes it. */
export async function classify(log: string, run: Run = {}): Promise<Classification> {
  const classifier = new RunClassifier(await taxonomy(), run.parallelism ?? 'serial', run.mode ?? 'pytest');
  const lines = log.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) classifier.line(line);
  return classifier.finish({ exitCode: 1, killedBy: null, ...run.exit }, run.plugin ?? []);
}

/** The (test, class) pairs of a classification, sorted by test. */
export function pairs(c: Classification): Array<{ test: string | null; class: string }> {
  return c.failures
    .map((f) => ({ test: f.test, class: f.class }))
    .sort((a, b) => String(a.test).localeCompare(String(b.test)) || a.class.localeCompare(b.class));
}

export const HEADER = [
  '============================= test session starts ==============================',
  'platform linux -- Python 3.11.2, pytest-8.3.4, pluggy-1.5.0 -- /usr/bin/python3',
  'rootdir: /suite',
  'plugins: timeout-2.4.0, xdist-3.6.1',
  'collecting ... collected 2 items',
  '',
].join('\n');

/**
 * A serial pytest -v console in which `test_x` (or `opts.name`) fails with `detail` in its
 * failures section; the entry's location line names the type of the first `E ` line, as pytest's does.
 */
export function serialFailure(detail: string[], opts: { file?: string; summary?: string; name?: string } = {}): string {
  const file = opts.file ?? 't.py';
  const name = opts.name ?? 'test_x';
  const firstError = detail.find((line) => /^E\s/.test(line))?.replace(/^E\s+/, '') ?? '';
  const type = /^((?:\w+\.)*[A-Z]\w*)(?::|$)/.exec(firstError)?.[1]?.replace(/^.*\./, '') ?? 'AssertionError';
  return [
    HEADER,
    `${file}::${name} FAILED                                                    [ 50%]`,
    `${file}::test_y PASSED                                                    [100%]`,
    '',
    '=================================== FAILURES ===================================',
    `____________________________________ ${name} ____________________________________`,
    '',
    `    def ${name.replace(/\[.*$/, '')}():`,
    '>       do_the_thing()',
    ...detail,
    '',
    `${file}:5: ${type}`,
    '=========================== short test summary info ============================',
    `FAILED ${file}::${name} - ${opts.summary ?? 'see above'}`,
    '========================= 1 failed, 1 passed in 91.02s =========================',
  ].join('\n');
}
