import { requiredLiterals } from './required-literals.js';
import type { TaxonomyRule } from './taxonomy-types.js';

/**
 * From this length on, a line is first searched for the rules' literals: on long lines a few
 * `includes` calls are several times faster than the combined regex, which irregexp tries at
 * every offset; on pytest's ~100-character lines the regex alone is faster.
 */
export const PREFILTER_MIN_LENGTH = 256;

/** Tells whether a line can match any of the rules: the test run on every line of a log. */
export class AnyRule {
  private readonly regex: RegExp | null;
  /** Every line the regex matches contains one of these; null: no such set could be derived. */
  readonly literals: string[] | null;

  constructor(rules: TaxonomyRule[]) {
    const regexes = rules.flatMap((rule) => rule.regexes);
    this.regex = regexes.length > 0 ? new RegExp(regexes.map((r) => `(?:${r.source})`).join('|')) : null;
    this.literals = regexes.length > 0 ? literalsOfAll(regexes) : null;
  }

  test(line: string): boolean {
    if (this.regex === null) return false;
    if (this.literals !== null && line.length >= PREFILTER_MIN_LENGTH && !this.literals.some((literal) => line.includes(literal))) return false;
    return this.regex.test(line);
  }
}

/** The literals one of which any match of any of the regexes contains; null if one regex has none. */
export function literalsOfAll(regexes: RegExp[]): string[] | null {
  const all = new Set<string>();
  for (const regex of regexes) {
    const literals = requiredLiterals(regex);
    if (literals === null) return null;
    for (const literal of literals) all.add(literal);
  }
  // A line holding "Router 1 has" holds "Router" too: only the shorter is worth searching for.
  return [...all].filter((literal) => ![...all].some((other) => other !== literal && literal.includes(other)));
}
