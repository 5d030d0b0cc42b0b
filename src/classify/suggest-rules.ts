/**
 * `flakehunt classify --suggest`: for each signature no rule matched, a rule to paste into a
 * taxonomy file, and how many iterations it would cover.
 */
import { type Failure, type IterationResult, UNCLASSIFIED } from '../core/result.js';
import { PLACEHOLDERS } from './message-normalisation.js';
import { splitNodeid } from './node-ids.js';
import type { RuleConditionsSpec, TaxonomyRuleSpec } from './taxonomy-types.js';

export interface RuleSuggestion {
  signature: string;
  signatureText: string;
  /** Iterations with at least one unclassified failure of this signature. */
  iterations: number;
  /** The tests it was seen in, sorted (null: the run as a whole). */
  tests: Array<string | null>;
  /** One message, as recorded. */
  example: string;
  /**
   * Ready to paste into a taxonomy's `rules`. Its `when` has two entries: conditions a person can
   * read and widen (the test, the exception, the phase, the message), and the signature itself,
   * which alone already classifies every failure of this signature on the next run.
   */
  rule: TaxonomyRuleSpec;
}

/** Types that name how a process ended rather than an exception (see failure-facts.ts). */
const ENDINGS: Record<string, RuleConditionsSpec> = {
  OOMKilled: { oomKilled: true },
  hang: { output: ['^\\[flakehunt\\] HANG:'] },
  'wall-timeout': { output: ['^\\[flakehunt\\] TIMEOUT:'] },
  'pytest-timeout': { output: ['^\\+{5,} Timeout \\+{5,}$'] },
  'worker crash': { output: ["worker '?gw\\d+'? crashed while running"] },
};
const NO_CONDITION = new Set(['-', 'died', 'Fatal Python error']);

/** What each placeholder stands for, in a regex matching the text it replaced. */
const PLACEHOLDER_REGEX: Record<string, string> = { '[…]': '\\[.*?\\]', '{…}': '\\{.*?\\}' };
const MAX_TITLE = 100;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular expression matching every message that normalises to this text: its literal parts as
 * they are (white space as any white space), each placeholder as whatever it replaced. A text that
 * ends in ` …` (a cut short summary) is matched up to the cut.
 */
export function regexFromNormalised(normalised: string): string {
  const text = normalised.replace(/ …$/, '');
  const placeholders = [...PLACEHOLDERS].sort((a, b) => b.length - a.length);
  let out = '';
  let at = 0;
  while (at < text.length) {
    const placeholder = placeholders.find((p) => text.startsWith(p, at));
    if (placeholder !== undefined) {
      out += PLACEHOLDER_REGEX[placeholder] ?? '.+?';
      at += placeholder.length;
      continue;
    }
    const c = text[at]!;
    out += c === ' ' ? '\\s+' : escapeRegex(c);
    at += 1;
  }
  return out;
}

/** `tests/x.py::TestA::test_b[p]` → a regex for that test function, any parameters. */
function testRegex(test: string): string {
  const [file, rest] = splitNodeid(test);
  const bracket = rest.indexOf('[');
  return `^${escapeRegex(file)}${escapeRegex(bracket === -1 ? rest : rest.slice(0, bracket))}(?:\\[|$)`;
}

/** The readable conditions for a signature, or null when they would say too little to be safe. */
function readableConditions(type: string, message: string, failures: Failure[]): RuleConditionsSpec | null {
  const conditions: RuleConditionsSpec = {};
  const tests = new Set(failures.map((f) => (f.test === null ? null : testRegex(f.test))));
  if (tests.size === 1 && !tests.has(null)) conditions.test = [...tests][0]!;
  const phases = new Set(failures.map((f) => f.phase));
  if (phases.size === 1 && failures[0]!.phase !== undefined) conditions.phase = [failures[0]!.phase];
  let what: RuleConditionsSpec | null = ENDINGS[type] ?? null;
  if (what === null && /^SIG[A-Z0-9]+$/.test(type)) what = { signal: [type] };
  if (what === null && !NO_CONDITION.has(type)) what = { exception: [type] };
  if (what === null) return null;
  Object.assign(conditions, what);
  if (what.exception !== undefined && message.length > 0) conditions.message = [regexFromNormalised(message)];
  return conditions.test !== undefined || conditions.message !== undefined ? conditions : null;
}

function titleOf(type: string, message: string): string {
  const text = type === '-' ? message : message.length > 0 ? `${type}: ${message}` : type;
  return text.length > MAX_TITLE ? `${text.slice(0, MAX_TITLE - 1)}…` : text;
}

/**
 * One suggestion per signature that only UNCLASSIFIED failures have, most iterations first.
 * `taken`: rule ids already in use, which a suggestion's id avoids.
 */
export function suggestRules(results: Iterable<Pick<IterationResult, 'iteration' | 'failures'>>, taken: ReadonlySet<string> = new Set()): RuleSuggestion[] {
  const bySignature = new Map<string, { failures: Failure[]; iterations: Set<number> }>();
  for (const result of results) {
    for (const failure of result.failures) {
      if (failure.class !== UNCLASSIFIED || failure.signature === undefined || failure.signatureText === undefined) continue;
      let entry = bySignature.get(failure.signature);
      if (entry === undefined) bySignature.set(failure.signature, (entry = { failures: [], iterations: new Set() }));
      entry.failures.push(failure);
      entry.iterations.add(result.iteration);
    }
  }
  const suggestions: RuleSuggestion[] = [];
  for (const [signature, { failures, iterations }] of bySignature) {
    const signatureText = failures[0]!.signatureText!;
    const [type = '-', , ...rest] = signatureText.split(' | ');
    const message = rest.join(' | ');
    let id = `S_${signature.slice(0, 8)}`;
    for (let n = 2; taken.has(id); n += 1) id = `S_${signature.slice(0, 8)}_${n}`;
    const readable = readableConditions(type, message, failures);
    const rule: TaxonomyRuleSpec = {
      id,
      title: titleOf(type, message),
      kind: 'test-bug',
      description: `Suggested by flakehunt classify --suggest for signature ${signature}: ${signatureText}`,
      when: readable === null ? [{ signature: [signature] }] : [readable, { signature: [signature] }],
    };
    const tests = [...new Set(failures.map((f) => f.test))].sort((a, b) => String(a).localeCompare(String(b)));
    suggestions.push({ signature, signatureText, iterations: iterations.size, tests, example: failures[0]!.message, rule });
  }
  return suggestions.sort((a, b) => b.iterations - a.iterations || a.signature.localeCompare(b.signature));
}

/** The suggestions as text: per signature a `//` comment (not JSON: drop it when pasting), then the rule. */
export function renderSuggestions(suggestions: RuleSuggestion[], iterations: number): string {
  if (suggestions.length === 0) return `Every failure of the ${iterations} iterations matched a rule: nothing to suggest.\n`;
  const lines = [`${suggestions.length} signature${suggestions.length === 1 ? '' : 's'} no rule matched, in ${iterations} iterations. Paste the rules into your taxonomy's "rules" (the // lines are comments):`, ''];
  for (const s of suggestions) {
    const more = s.tests.length > 1 ? ` and ${s.tests.length - 1} more` : '';
    lines.push(`// ${s.iterations} iteration${s.iterations === 1 ? '' : 's'}: ${s.signatureText}`);
    lines.push(`// ${s.tests[0] ?? 'the run as a whole'}${more}; e.g. ${s.example}`);
    lines.push(`${JSON.stringify(s.rule, null, 2)},`, '');
  }
  return `${lines.join('\n')}\n`;
}
