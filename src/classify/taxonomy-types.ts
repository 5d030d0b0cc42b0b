import type { FailurePhase } from '../core/result.js';

/** Whether a class is a bug in the tests or product, or noise from the infrastructure around them. */
export type RuleKind = 'test-bug' | 'infrastructure';

/**
 * Conditions on a failure, as written in a taxonomy file. Every condition given must hold; a list
 * holds when any of its entries does.
 */
export interface RuleConditionsSpec {
  /** Serial runs, or runs under pytest-xdist (`-n N`). */
  parallelism?: 'serial' | 'xdist';
  /** A regular expression searched for in the test's canonical node id. */
  test?: string;
  /** Exception types, as Python prints them (`requests.exceptions.ConnectionError`) or by their last part (`ConnectionError`); `*` matches any characters. */
  exception?: string[];
  phase?: FailurePhase[];
  /** The iteration's exit status. */
  exitStatus?: number[];
  /** The signal that ended the test's process (`SIGABRT`), from a fatal-error dump or the exit status. */
  signal?: string[];
  /** Whether the kernel's OOM killer ended the test's process. */
  oomKilled?: boolean;
  /** Regular expressions, one of which some line of the failure's message (its exception or crash text) must match. */
  message?: string[];
  /** Regular expressions, one of which some line of the failure's output must match (as `patterns`). */
  output?: string[];
  /** Failure signatures (`flakehunt classify --suggest` writes these). */
  signature?: string[];
}

/** The shape of a rule as written in a taxonomy JSON file. */
export interface TaxonomyRuleSpec {
  id: string;
  title: string;
  kind: RuleKind;
  /** Regular expressions (JavaScript syntax, linear-time subset); a line of the failure's output matching any of them matches. */
  patterns?: string[];
  /** Conditions that must all hold too; with a list of them, those of one entry. */
  when?: RuleConditionsSpec | RuleConditionsSpec[];
  description?: string;
}

export interface TaxonomySpec {
  name: string;
  description?: string;
  rules: TaxonomyRuleSpec[];
}

/** A group of line patterns matched as the log streams; its key names it in a Context's matches. */
export interface LineGroup {
  key: string;
  regexes: RegExp[];
}

export interface CompiledConditions {
  parallelism?: 'serial' | 'xdist';
  test?: RegExp;
  exception?: RegExp[];
  phase?: ReadonlySet<FailurePhase>;
  exitStatus?: ReadonlySet<number>;
  signal?: ReadonlySet<string>;
  oomKilled?: boolean;
  message?: RegExp[];
  output?: LineGroup;
  signature?: ReadonlySet<string>;
}

export interface TaxonomyRule extends TaxonomyRuleSpec {
  /** The compiled `patterns` (empty when the rule has none). */
  regexes: RegExp[];
  /** `patterns` as a line group, or null. */
  lines: LineGroup | null;
  /** The compiled `when` entries (one empty entry when there is no `when`). */
  alternatives: CompiledConditions[];
  /** `project`: from the taxonomy file; `generic`: the layer every taxonomy gets. */
  layer: 'project' | 'generic';
}

/** A validated, compiled taxonomy. Rules are in priority order: the first that matches a failure wins. */
export interface Taxonomy {
  name: string;
  source: string;
  /** The project's rules, then the generic layer's (minus those whose id the project reuses). */
  rules: TaxonomyRule[];
  /** The taxonomy file as written (what a worker thread is sent to compile it again). */
  spec: TaxonomySpec;
}
