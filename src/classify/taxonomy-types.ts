/** Whether a class is a bug in the tests or product, or noise from the infrastructure around them. */
export type RuleKind = 'test-bug' | 'infrastructure';

/** The shape of a rule as written in a taxonomy JSON file. */
export interface TaxonomyRuleSpec {
  id: string;
  title: string;
  kind: RuleKind;
  /** Regular expressions (JavaScript syntax); a line matching any of them matches the rule. */
  patterns: string[];
  /** Restricts the rule to serial runs or to runs under pytest-xdist (`-n N`). */
  when?: { parallelism?: 'serial' | 'xdist' };
  description?: string;
}

export interface TaxonomySpec {
  name: string;
  description?: string;
  rules: TaxonomyRuleSpec[];
}

export interface TaxonomyRule extends TaxonomyRuleSpec {
  regexes: RegExp[];
}

/** A validated, compiled taxonomy. Rules are in priority order: the first that matches a failure wins. */
export interface Taxonomy {
  name: string;
  source: string;
  rules: TaxonomyRule[];
}
