import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Classification } from '../../../src/classify/classification.js';
import { classifyLog } from '../../../src/classify/classify-log.js';
import { compileLinear } from '../../../src/classify/linear-regex.js';
import { normaliseMessage } from '../../../src/classify/message-normalisation.js';
import { regexFromNormalised, renderSuggestions, suggestRules } from '../../../src/classify/suggest-rules.js';
import { compileTaxonomy, loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import type { Taxonomy, TaxonomyRuleSpec } from '../../../src/classify/taxonomy-types.js';
import { UNCLASSIFIED } from '../../../src/core/result.js';

const CORPUS = path.resolve('test/fixtures/corpus');

/** Classifies a corpus case (real logs and plugin reports) as `flakehunt classify` would. */
async function classifyCase(name: string, taxonomy: Taxonomy): Promise<Classification> {
  const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as { exitCode: number; parallelism: string };
  const artifacts = path.join(CORPUS, name, 'artifacts');
  return classifyLog({
    log: path.join(CORPUS, name, 'run.log'),
    artifactsDir: existsSync(artifacts) ? artifacts : null,
    taxonomy,
    parallelism: expected.parallelism === 'serial' ? 'serial' : 'xdist',
    mode: 'pytest',
    exit: { exitCode: expected.exitCode, killedBy: null },
  });
}

/** The bundled taxonomy with some rules pasted at the end of its "rules", as a user would. */
async function pasted(rules: TaxonomyRuleSpec[]): Promise<Taxonomy> {
  const bundled = await loadTaxonomy();
  return compileTaxonomy({ ...bundled.spec, rules: [...bundled.spec.rules, ...rules] }, '/pasted.json');
}

const FIRST_SWEEP = ['signatures_a-serial', 'signatures_b-serial', 'abort-serial', 'installed-serial'];
const NEXT_RUNS = ['signatures_a_again-serial', 'signatures_a-n2', 'signatures_b-n2', 'abort_init-serial', 'abort-n2', 'installed-n2', 'installed_rootdir-serial'];

describe('classify --suggest', () => {
  it('one rule per signature no rule matched, with how many iterations it covers', async () => {
    const taxonomy = await loadTaxonomy();
    const results = await Promise.all(FIRST_SWEEP.map(async (name, i) => ({ iteration: i + 1, failures: (await classifyCase(name, taxonomy)).failures })));
    const unclassified = new Set(results.flatMap((r) => r.failures.filter((f) => f.class === UNCLASSIFIED).map((f) => f.signature!)));
    const suggestions = suggestRules(results, new Set(taxonomy.rules.map((r) => r.id)));
    expect(new Set(suggestions.map((s) => s.signature))).toEqual(unclassified);
    // test_chained and test_refused fail the same way in both signature runs: 2 iterations each.
    const chained = suggestions.find((s) => s.signatureText.startsWith('RuntimeError | test_signatures.py::test_chained'))!;
    expect(chained).toMatchObject({ iterations: 2, tests: ['test_signatures.py::test_chained'] });
    expect(chained.rule).toEqual({
      id: `S_${chained.signature.slice(0, 8)}`,
      title: 'RuntimeError: cannot start the router on port <port>',
      kind: 'test-bug',
      description: `Suggested by flakehunt classify --suggest for signature ${chained.signature}: ${chained.signatureText}`,
      when: [
        { test: '^test_signatures\\.py::test_chained(?:\\[|$)', phase: ['call'], exception: ['RuntimeError'], message: ['cannot\\s+start\\s+the\\s+router\\s+on\\s+port\\s+.+?'] },
        { signature: [chained.signature] },
      ],
    });
    expect(suggestions[0]!.iterations).toBeGreaterThanOrEqual(suggestions[suggestions.length - 1]!.iterations);
    expect(suggestRules(results, new Set([`S_${chained.signature.slice(0, 8)}`])).find((s) => s.signature === chained.signature)!.rule.id).toBe(`S_${chained.signature.slice(0, 8)}_2`);
  });

  it('pasted into the taxonomy, the rules classify those signatures on the next run, and change nothing else', async () => {
    const bundled = await loadTaxonomy();
    const first = await Promise.all(FIRST_SWEEP.map(async (name, i) => ({ iteration: i + 1, failures: (await classifyCase(name, bundled)).failures })));
    const suggestions = suggestRules(first, new Set(bundled.rules.map((r) => r.id)));
    const bySignature = new Map(suggestions.map((s) => [s.signature, s.rule.id]));
    for (const readableOnly of [false, true]) {
      // With only the readable conditions kept, the rules must still catch the exception failures.
      const rules = suggestions.map((s) => ({ ...s.rule, when: readableOnly && (s.rule.when as unknown[]).length === 2 ? [(s.rule.when as unknown[])[0]] : s.rule.when })) as TaxonomyRuleSpec[];
      const taxonomy = await pasted(rules);
      for (const name of [...FIRST_SWEEP, ...NEXT_RUNS]) {
        const before = await classifyCase(name, bundled);
        const after = await classifyCase(name, taxonomy);
        expect(after.failures.map((f) => f.signature), name).toEqual(before.failures.map((f) => f.signature));
        after.failures.forEach((f, i) => {
          const was = before.failures[i]!.class;
          const suggested = bySignature.get(f.signature!);
          if (was !== UNCLASSIFIED) expect(f.class, `${name} ${f.test}`).toBe(was);
          else if (suggested !== undefined && !(readableOnly && (suggestions.find((s) => s.signature === f.signature)!.rule.when as unknown[]).length === 1)) {
            expect(f.class, `${name} ${f.test} ${f.signatureText}`).toBe(suggested);
          }
        });
      }
    }
  });

  it('the message regex matches every message that normalises to the text, and the linear-time engine runs it', () => {
    const messages = [
      'AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events (due to prefix reuse), but found 3 with events: [(0, 0), (0, 1), (0, 2)]',
      'AssertionError: object <test_many.Thing object at 0x7f73dcfe5210> at pid 1 took 0.311s id=a5ee7e70-f296-426c-bf4b-9fd809b06c08',
      "requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=36731): Max retries exceeded with url: /v1/models (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f8c2b1d4e50>: Failed to establish a new connection: [Errno 111] Connection refused'))",
      'FileNotFoundError: no such file: /tmp/pytest-of-root/pytest-336/popen-gw0/test_decorated_2_0/data.bin on thread 140670374699072',
      'Expected all responses to have the same decode_worker_id (due to prefix reuse), but found 2 unique values: {893573269278361612, 893573269278361615}',
      'TimeoutError: Timed out waiting for etcd at http://172.17.0.3:2379 after 30.00s',
      "KeyError: 'decode_worker_id' (a $ sign, a [bracket and a \\ backslash)",
    ];
    for (const message of messages) {
      const regex = compileLinear(regexFromNormalised(normaliseMessage(message)));
      expect(regex.test(message), message).toBe(true);
    }
    expect(compileLinear(regexFromNormalised(normaliseMessage(messages[0]!))).test("AssertionError: Expected all responses to have the same decode_worker_id")).toBe(false);
  });

  it('renders a comment and the rule per signature, or says there is nothing to suggest', () => {
    const failure = { test: 't.py::test_x', class: UNCLASSIFIED, message: "KeyError: 'a'", signature: '0123456789ab', signatureText: "KeyError | t.py::test_x | 'a'", phase: 'call' as const, exception: 'KeyError' };
    const text = renderSuggestions(suggestRules([{ iteration: 1, failures: [failure] }, { iteration: 2, failures: [failure, failure] }]), 2);
    expect(text.split('\n').slice(0, 4)).toEqual([
      '1 signature no rule matched, in 2 iterations. Paste the rules into your taxonomy\'s "rules" (the // lines are comments):',
      '',
      "// 2 iterations: KeyError | t.py::test_x | 'a'",
      "// t.py::test_x; e.g. KeyError: 'a'",
    ]);
    const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
    expect(JSON.parse(json)).toMatchObject({ id: 'S_01234567', title: "KeyError: 'a'" });
    expect(renderSuggestions([], 5)).toBe('Every failure of the 5 iterations matched a rule: nothing to suggest.\n');
  });
});
