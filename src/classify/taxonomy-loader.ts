import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// First: taxonomy patterns must be compiled after V8's linear-time fallback is switched on.
import { compileLinear } from './linear-regex.js';
import { PATTERN_BUDGET_MS, patternCostMs } from './pattern-cost.js';
import { UsageError } from '../core/errors.js';
import { readUserJson } from '../core/read-json-file.js';
import { type FailurePhase, UNCLASSIFIED } from '../core/result.js';
import type { CompiledConditions, LineGroup, RuleConditionsSpec, Taxonomy, TaxonomyRule, TaxonomyRuleSpec, TaxonomySpec } from './taxonomy-types.js';

/** The bundled rule set encoding the seed investigation's taxonomy. */
export const DEFAULT_TAXONOMY = fileURLToPath(new URL('../../templates/taxonomy/dynamo-router.json', import.meta.url));

/** The layer every taxonomy gets after its own rules: hangs, timeouts, crashes, OOM kills, … */
export const GENERIC_TAXONOMY = fileURLToPath(new URL('../../templates/taxonomy/generic.json', import.meta.url));

const ID = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;
const PHASES: readonly FailurePhase[] = ['setup', 'call', 'teardown', 'collection'];
const CONDITION_KEYS = new Set(['parallelism', 'test', 'exception', 'phase', 'exitStatus', 'signal', 'oomKilled', 'message', 'output', 'signature']);
/** Bounds that keep the combined rule test compilable and fast; real taxonomies are far below them. */
const MAX_RULES = 2000;
const MAX_PATTERN_CHARS = 2000;

const RULE_KEYS = new Set(['id', 'title', 'kind', 'patterns', 'when', 'description']);

/** Reads, validates and compiles a taxonomy file; every problem names the file, the rule and the reason. */
export async function loadTaxonomy(file: string = DEFAULT_TAXONOMY): Promise<Taxonomy> {
  const data = await readUserJson(file, 'taxonomy', 'pass an existing JSON file to --taxonomy');
  return compileTaxonomy(data, path.resolve(file));
}

let generic: TaxonomyRule[] | null = null;

/** The generic layer, compiled once per thread. */
function genericRules(): TaxonomyRule[] {
  generic ??= compileRules(JSON.parse(readFileSync(GENERIC_TAXONOMY, 'utf8')), GENERIC_TAXONOMY, 'generic');
  return generic;
}

/**
 * Validates and compiles taxonomy data already parsed, and appends the generic layer: its rules
 * come after the project's, and a project rule with the id of a generic one replaces it.
 */
export function compileTaxonomy(data: unknown, source: string): Taxonomy {
  const rules = compileRules(data, source, 'project');
  const own = new Set(rules.map((rule) => rule.id));
  return { name: (data as TaxonomySpec).name, source, rules: [...rules, ...genericRules().filter((rule) => !own.has(rule.id))], spec: data as TaxonomySpec };
}

function compileRules(data: unknown, source: string, layer: TaxonomyRule['layer']): TaxonomyRule[] {
  const fail = (what: string): never => {
    throw new UsageError(`taxonomy ${source}: ${what}`);
  };
  if (typeof data !== 'object' || data === null) fail('expected an object with "name" and "rules"');
  const spec = data as { name?: unknown; rules?: unknown };
  if (typeof spec.name !== 'string' || spec.name.length === 0) fail('"name" must be a non-empty string');
  if (!Array.isArray(spec.rules) || spec.rules.length === 0) fail('"rules" must be a non-empty array');
  if ((spec.rules as unknown[]).length > MAX_RULES) fail(`${(spec.rules as unknown[]).length} rules: at most ${MAX_RULES} (a rule can hold several patterns and conditions)`);
  const seen = new Set<string>();
  return (spec.rules as unknown[]).map((raw, index): TaxonomyRule => {
    const rule = raw as Partial<TaxonomyRuleSpec>;
    const where = `rule #${index + 1}${typeof rule?.id === 'string' ? ` (${rule.id})` : ''}`;
    const failRule = (what: string): never => fail(`${where}: ${what}`);
    if (typeof rule !== 'object' || rule === null) failRule('expected an object');
    const unknown = Object.keys(rule).find((key) => !RULE_KEYS.has(key));
    if (unknown !== undefined) failRule(`unknown key "${unknown}" (a rule has ${[...RULE_KEYS].join(', ')})`);
    if (typeof rule.id !== 'string' || !ID.test(rule.id)) failRule(`"id" must match ${ID}`);
    if (rule.id === UNCLASSIFIED) failRule(`"${UNCLASSIFIED}" is reserved for failures no rule matches`);
    if (seen.has(rule.id!)) failRule('duplicate id');
    seen.add(rule.id!);
    if (typeof rule.title !== 'string' || rule.title.length === 0) failRule('"title" must be a non-empty string');
    if (rule.kind !== 'test-bug' && rule.kind !== 'infrastructure') failRule('"kind" must be "test-bug" or "infrastructure"');
    if (rule.patterns !== undefined && (!Array.isArray(rule.patterns) || rule.patterns.length === 0)) failRule('"patterns" must be a non-empty array of regular expressions');
    if (rule.patterns === undefined && rule.when === undefined) failRule('needs "patterns", "when", or both');
    const regexes = (rule.patterns ?? []).map((pattern, p) => compilePattern(pattern, `pattern #${p + 1}`, failRule));
    const whens = rule.when === undefined ? [{}] : Array.isArray(rule.when) ? rule.when : [rule.when];
    if (whens.length === 0) failRule('"when" must not be an empty list');
    if (rule.when !== undefined && whens.some((when) => typeof when === 'object' && when !== null && !Array.isArray(when) && Object.keys(when).length === 0)) {
      failRule('a "when" without conditions matches every failure: give at least one condition, or leave "when" out');
    }
    const alternatives = whens.map((when, w) => compileConditions(when, rule.id!, whens.length === 1 ? '"when"' : `"when" #${w + 1}`, w, failRule));
    const lines: LineGroup | null = regexes.length > 0 ? { key: rule.id!, regexes } : null;
    return { ...(rule as TaxonomyRuleSpec), regexes, lines, alternatives, layer };
  });
}

/** Patterns already measured in this thread: a worker thread compiles the taxonomy its parent checked. */
const measured = new Set<string>();

function compilePattern(pattern: unknown, what: string, fail: (what: string) => never): RegExp {
  if (typeof pattern !== 'string') fail(`${what} is not a string`);
  const source = pattern as string;
  if (source.length > MAX_PATTERN_CHARS) fail(`${what} is ${source.length} characters long: at most ${MAX_PATTERN_CHARS} (split it into several patterns)`);
  let regex: RegExp;
  try {
    regex = compileLinear(source);
  } catch (error) {
    return fail(`${what} ${JSON.stringify(pattern)} ${(error as Error).message}`);
  }
  if (regex.test('')) fail(`${what} ${JSON.stringify(pattern)} matches an empty text, so it matches everything: write what the text says`);
  if (!measured.has(source)) {
    const cost = patternCostMs(regex);
    if (cost > PATTERN_BUDGET_MS) {
      fail(`${what} ${JSON.stringify(pattern)} takes ${cost.toFixed(0)} ms on one 16 KiB line (at most ${PATTERN_BUDGET_MS} ms; ordinary patterns take under 0.1): it would slow classification of every log; use fewer counted or nested repetitions`);
    }
    measured.add(source);
  }
  return regex;
}

function compileConditions(raw: unknown, id: string, where: string, index: number, fail: (what: string) => never): CompiledConditions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${where} must be an object of conditions`);
  const spec = raw as RuleConditionsSpec;
  const unknown = Object.keys(spec).find((key) => !CONDITION_KEYS.has(key));
  if (unknown !== undefined) fail(`${where}: unknown condition "${unknown}" (conditions are ${[...CONDITION_KEYS].join(', ')})`);
  const strings = (key: keyof RuleConditionsSpec): string[] | undefined => {
    const value = spec[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) fail(`${where}: "${key}" must be a non-empty array of strings`);
    return value as string[];
  };
  const regexList = (key: 'message' | 'output') => strings(key)?.map((p, i) => compilePattern(p, `${where}: ${key} pattern #${i + 1}`, fail));
  const conditions: CompiledConditions = {};
  if (spec.parallelism !== undefined) {
    if (spec.parallelism !== 'serial' && spec.parallelism !== 'xdist') fail(`${where}: "parallelism" must be "serial" or "xdist"`);
    conditions.parallelism = spec.parallelism;
  }
  if (spec.test !== undefined) {
    if (typeof spec.test !== 'string') fail(`${where}: "test" must be a regular expression (a string)`);
    conditions.test = compilePattern(spec.test, `${where}: "test"`, fail);
  }
  const exception = strings('exception');
  if (exception !== undefined) conditions.exception = exception.map(exceptionMatcher);
  const phase = strings('phase');
  if (phase !== undefined) {
    const bad = phase.find((p) => !PHASES.includes(p as FailurePhase));
    if (bad !== undefined) fail(`${where}: phase "${bad}" is none of ${PHASES.join(', ')}`);
    conditions.phase = new Set(phase as FailurePhase[]);
  }
  if (spec.exitStatus !== undefined) {
    if (!Array.isArray(spec.exitStatus) || spec.exitStatus.length === 0 || spec.exitStatus.some((n) => !Number.isInteger(n))) fail(`${where}: "exitStatus" must be a non-empty array of integers`);
    conditions.exitStatus = new Set(spec.exitStatus);
  }
  const signal = strings('signal');
  if (signal !== undefined) {
    const bad = signal.find((s) => !/^SIG[A-Z0-9]+$/.test(s));
    if (bad !== undefined) fail(`${where}: signal "${bad}" is not a signal name such as SIGABRT`);
    conditions.signal = new Set(signal);
  }
  if (spec.oomKilled !== undefined) {
    if (typeof spec.oomKilled !== 'boolean') fail(`${where}: "oomKilled" must be true or false`);
    conditions.oomKilled = spec.oomKilled;
  }
  const message = regexList('message');
  if (message !== undefined) conditions.message = message;
  const output = regexList('output');
  if (output !== undefined) conditions.output = { key: `${id}#${index + 1}`, regexes: output };
  const signature = strings('signature');
  if (signature !== undefined) {
    const bad = signature.find((s) => !/^[0-9a-f]{12}$/.test(s));
    if (bad !== undefined) fail(`${where}: signature "${bad}" is not 12 hex digits`);
    conditions.signature = new Set(signature);
  }
  return conditions;
}

/** `ConnectionError` matches it and `requests.exceptions.ConnectionError`; `*` stands for any characters. */
function exceptionMatcher(name: string): RegExp {
  const body = name.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(name.includes('.') ? `^${body}$` : `^(?:.*\\.)?${body}$`);
}
