import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { UsageError } from '../core/errors.js';
import { UNCLASSIFIED } from '../core/result.js';
import type { Taxonomy, TaxonomyRule, TaxonomyRuleSpec } from './taxonomy-types.js';

/** The bundled rule set encoding the seed investigation's taxonomy. */
export const DEFAULT_TAXONOMY = fileURLToPath(new URL('../../templates/taxonomy/dynamo-router.json', import.meta.url));

const ID = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;

/** Reads, validates and compiles a taxonomy file; every problem names the file, the rule and the reason. */
export async function loadTaxonomy(file: string = DEFAULT_TAXONOMY): Promise<Taxonomy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read taxonomy ${file}: ${(error as Error).message}; pass an existing JSON file to --taxonomy`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`taxonomy ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return compileTaxonomy(data, path.resolve(file));
}

/** Validates and compiles taxonomy data already parsed. */
export function compileTaxonomy(data: unknown, source: string): Taxonomy {
  const fail = (what: string): never => {
    throw new UsageError(`taxonomy ${source}: ${what}`);
  };
  if (typeof data !== 'object' || data === null) fail('expected an object with "name" and "rules"');
  const spec = data as { name?: unknown; rules?: unknown };
  if (typeof spec.name !== 'string' || spec.name.length === 0) fail('"name" must be a non-empty string');
  if (!Array.isArray(spec.rules) || spec.rules.length === 0) fail('"rules" must be a non-empty array');
  const seen = new Set<string>();
  const rules = (spec.rules as unknown[]).map((raw, index): TaxonomyRule => {
    const rule = raw as Partial<TaxonomyRuleSpec>;
    const where = `rule #${index + 1}${typeof rule?.id === 'string' ? ` (${rule.id})` : ''}`;
    if (typeof rule !== 'object' || rule === null) fail(`${where}: expected an object`);
    if (typeof rule.id !== 'string' || !ID.test(rule.id)) fail(`${where}: "id" must match ${ID}`);
    if (rule.id === UNCLASSIFIED) fail(`${where}: "${UNCLASSIFIED}" is reserved for failures no rule matches`);
    if (seen.has(rule.id!)) fail(`${where}: duplicate id`);
    seen.add(rule.id!);
    if (typeof rule.title !== 'string' || rule.title.length === 0) fail(`${where}: "title" must be a non-empty string`);
    if (rule.kind !== 'test-bug' && rule.kind !== 'infrastructure') fail(`${where}: "kind" must be "test-bug" or "infrastructure"`);
    if (!Array.isArray(rule.patterns) || rule.patterns.length === 0) fail(`${where}: "patterns" must be a non-empty array of regular expressions`);
    const wanted = rule.when?.parallelism;
    if (wanted !== undefined && wanted !== 'serial' && wanted !== 'xdist') fail(`${where}: "when.parallelism" must be "serial" or "xdist"`);
    const regexes = rule.patterns!.map((pattern, p) => {
      if (typeof pattern !== 'string') fail(`${where}: pattern #${p + 1} is not a string`);
      try {
        return new RegExp(pattern);
      } catch (error) {
        return fail(`${where}: pattern #${p + 1} ${JSON.stringify(pattern)} does not compile: ${(error as Error).message}`);
      }
    });
    return { ...(rule as TaxonomyRuleSpec), regexes };
  });
  return { name: spec.name as string, source, rules };
}
