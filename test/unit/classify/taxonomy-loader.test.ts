import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RunClassifier } from '../../../src/classify/classifier.js';
import { PATTERN_BUDGET_MS, patternCostMs } from '../../../src/classify/pattern-cost.js';
import { compileTaxonomy, DEFAULT_TAXONOMY, loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import { UsageError } from '../../../src/core/errors.js';

const SOURCE = '/configs/my-taxonomy.json';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-taxonomy-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rule = (extra: Record<string, unknown> = {}) => ({ id: 'X1', title: 'A rule', kind: 'test-bug', patterns: ['boom'], ...extra });

function compileError(data: unknown): string {
  let caught: unknown;
  try {
    compileTaxonomy(data, SOURCE);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UsageError);
  const message = (caught as Error).message;
  expect(message.startsWith(`taxonomy ${SOURCE}: `)).toBe(true);
  return message;
}

describe('the bundled taxonomy', () => {
  it('loads, in priority order, the project rules then the generic layer', async () => {
    const taxonomy = await loadTaxonomy();
    expect(taxonomy.source).toBe(DEFAULT_TAXONOMY);
    expect(taxonomy.name).toBe('dynamo-router');
    expect(taxonomy.rules.map((r) => r.id)).toEqual([
      'A4', 'A3', 'A4_crash', 'B1', 'A5', 'A1', 'A2',
      'hang', 'wall-timeout', 'pytest-timeout', 'oom-kill', 'crash', 'xdist-worker-crash', 'network', 'collection-error', 'fixture-error',
    ]);
    expect(taxonomy.rules.filter((r) => r.layer === 'project').map((r) => r.id)).toEqual(['A4', 'A3', 'A4_crash', 'B1', 'A5', 'A1', 'A2']);
    expect(taxonomy.rules.find((r) => r.id === 'A4_crash')!.when).toEqual({ parallelism: 'serial', oomKilled: false });
    expect(taxonomy.rules.find((r) => r.id === 'B1')!.when).toEqual({ parallelism: 'xdist', oomKilled: false });
    expect(taxonomy.rules.find((r) => r.id === 'A5')!.kind).toBe('infrastructure');
    for (const r of taxonomy.rules) expect(r.regexes.length).toBe(r.patterns?.length ?? 0);
    expect(taxonomy.spec.rules.map((r) => r.id)).toEqual(['A4', 'A3', 'A4_crash', 'B1', 'A5', 'A1', 'A2']);
  });

  it('a project rule with a generic id replaces the generic rule, in the project\'s place', () => {
    const t = compileTaxonomy({ name: 'mine', rules: [rule({ id: 'crash', title: 'Our crash', patterns: ['boom'] })] }, SOURCE);
    expect(t.rules.filter((r) => r.id === 'crash').map((r) => [r.title, r.layer])).toEqual([['Our crash', 'project']]);
    expect(t.rules[0]!.id).toBe('crash');
    expect(t.rules.length).toBe(1 + 9 - 1);
  });
});

describe('compileTaxonomy', () => {
  it('compiles every pattern of every rule', () => {
    const t = compileTaxonomy({ name: 'mine', rules: [rule({ patterns: ['^a+$', 'b\\d'] }), rule({ id: 'Y.2', kind: 'infrastructure', when: { parallelism: 'xdist' } })] }, SOURCE);
    expect(t.name).toBe('mine');
    expect(t.source).toBe(SOURCE);
    expect(t.rules[0]!.regexes.map((r) => r.test('aaa'))).toEqual([true, false]);
    expect(t.rules[0]!.regexes[1]!.test('b7')).toBe(true);
    expect(t.rules[1]!.when).toEqual({ parallelism: 'xdist' });
  });

  it('a pattern that does not compile: names the file, the rule, the pattern and why', () => {
    const message = compileError({ name: 't', rules: [rule({ id: 'OK1' }), rule({ id: 'BAD', patterns: ['fine', 'unclosed (group'] })] });
    expect(message).toContain('rule #2 (BAD): pattern #2 "unclosed (group" does not compile: ');
    expect(message).toMatch(/Unterminated group/);
  });

  it('a duplicate id', () => {
    expect(compileError({ name: 't', rules: [rule(), rule({ title: 'again' })] })).toBe(`taxonomy ${SOURCE}: rule #2 (X1): duplicate id`);
  });

  it('the reserved UNCLASSIFIED id', () => {
    expect(compileError({ name: 't', rules: [rule({ id: 'UNCLASSIFIED' })] })).toBe(
      `taxonomy ${SOURCE}: rule #1 (UNCLASSIFIED): "UNCLASSIFIED" is reserved for failures no rule matches`,
    );
  });

  it.each(['bug', '', undefined, 'Test-Bug'])('a bad kind %j', (kind) => {
    expect(compileError({ name: 't', rules: [rule({ kind })] })).toBe(`taxonomy ${SOURCE}: rule #1 (X1): "kind" must be "test-bug" or "infrastructure"`);
  });

  it.each([
    [{ when: { parallelism: 'both' } }, '"when": "parallelism" must be "serial" or "xdist"'],
    [{ when: [{ phase: ['call'] }, { phase: ['run'] }] }, '"when" #2: phase "run" is none of setup, call, teardown, collection'],
    [{ when: { exeption: ['KeyError'] } }, '"when": unknown condition "exeption" (conditions are parallelism, test, exception'],
    [{ when: { signal: ['abort'] } }, 'signal "abort" is not a signal name such as SIGABRT'],
    [{ when: { signature: ['xyz'] } }, 'signature "xyz" is not 12 hex digits'],
    [{ when: { exitStatus: [1.5] } }, '"exitStatus" must be a non-empty array of integers'],
    [{ when: { oomKilled: 'yes' } }, '"oomKilled" must be true or false'],
    [{ when: [] }, '"when" must not be an empty list'],
    [{ patterns: undefined }, 'needs "patterns", "when", or both'],
    [{ pattern: ['x'] }, 'unknown key "pattern"'],
    [{ patterns: [] }, '"patterns" must be a non-empty array of regular expressions'],
    [{ patterns: 'boom' }, '"patterns" must be a non-empty array'],
    [{ patterns: [42] }, 'pattern #1 is not a string'],
    [{ title: '' }, '"title" must be a non-empty string'],
    [{ id: '1abc' }, '"id" must match'],
    [{ id: 'has space' }, '"id" must match'],
    [{ patterns: [''] }, 'pattern #1 "" matches an empty text, so it matches everything'],
    [{ patterns: ['x*'] }, 'pattern #1 "x*" matches an empty text'],
    [{ when: {} }, 'a "when" without conditions matches every failure'],
    [{ when: [{ phase: ['call'] }, {}] }, 'a "when" without conditions matches every failure'],
    [{ patterns: ['a'.repeat(2001)] }, 'pattern #1 is 2001 characters long: at most 2000'],
  ])('rule problem %j', (extra, reason) => {
    expect(compileError({ name: 't', rules: [rule(extra)] })).toContain(reason);
  });

  it.each([
    [null, 'expected an object with "name" and "rules"'],
    [{ rules: [rule()] }, '"name" must be a non-empty string'],
    [{ name: 't' }, '"rules" must be a non-empty array'],
    [{ name: 't', rules: [] }, '"rules" must be a non-empty array'],
    [{ name: 't', rules: ['nope'] }, 'rule #1: expected an object'],
    [{ name: 't', rules: Array.from({ length: 2001 }, (_, i) => rule({ id: `R${i}` })) }, '2001 rules: at most 2000'],
  ])('file problem %j', (data, reason) => {
    expect(compileError(data)).toContain(reason);
  });
});

describe('a pattern too costly on long lines', () => {
  it('is refused at load with what it costs, though it is linear-time (eight counted repetitions in a row)', () => {
    const costly = `${'[a-z]{1,16}'.repeat(8)}$`;
    expect(compileError({ name: 't', rules: [rule({ patterns: [costly] })] })).toMatch(/pattern #1 ".*" takes \d+ ms on one 16 KiB line \(at most 5 ms; ordinary patterns take under 0\.1\)/);
  });

  it('the bundled patterns are far below the budget', () => {
    const spec = JSON.parse(readFileSync(DEFAULT_TAXONOMY, 'utf8')) as { rules: Array<{ patterns?: string[] }> };
    for (const source of spec.rules.flatMap((r) => r.patterns ?? [])) expect(patternCostMs(new RegExp(source)), source).toBeLessThan(PATTERN_BUDGET_MS / 5);
  });
});

describe('loadTaxonomy', () => {
  it('names the file when it cannot be read, and the fix', async () => {
    const missing = path.join(dir, 'missing.json');
    await expect(loadTaxonomy(missing)).rejects.toThrow(new RegExp(`cannot read taxonomy ${missing}: .*ENOENT.*; pass an existing JSON file to --taxonomy`));
  });

  it('names the file when it is not JSON', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"name": "x", rules: }');
    const error = await loadTaxonomy(file).catch((e: Error) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(new RegExp(`^taxonomy ${file} is not valid JSON: `));
  });

  it('names the resolved file in rule errors', async () => {
    const file = path.join(dir, 'dup.json');
    await writeFile(file, JSON.stringify({ name: 't', rules: [rule(), rule()] }));
    await expect(loadTaxonomy(file)).rejects.toThrow(`taxonomy ${file}: rule #2 (X1): duplicate id`);
  });

  it('loads a custom file whose rules then drive the classifier, when.parallelism included', async () => {
    const file = path.join(dir, 'custom.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'custom',
        rules: [
          { id: 'PORT', title: 'Port clash', kind: 'infrastructure', patterns: ['Address already in use'], when: { parallelism: 'xdist' } },
          { id: 'DB', title: 'DB lock', kind: 'test-bug', patterns: ['database is locked'] },
        ],
      }),
    );
    const t = await loadTaxonomy(file);
    const run = (parallelism: 'serial' | 'xdist', message: string) => {
      const c = new RunClassifier(t, parallelism, 'pytest');
      c.line('=========================== short test summary info ============================');
      c.line(`FAILED t.py::test_x - ${message}`);
      return c.finish({ exitCode: 1, killedBy: null }).failures.map((f) => f.class);
    };
    expect(run('xdist', 'OSError: [Errno 98] Address already in use')).toEqual(['PORT']);
    expect(run('serial', 'OSError: [Errno 98] Address already in use')).toEqual(['UNCLASSIFIED']);
    expect(run('serial', 'sqlite3.OperationalError: database is locked')).toEqual(['DB']);
  });
});
