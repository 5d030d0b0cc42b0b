import type { FailurePhase } from '../core/result.js';
import type { Parallelism } from './classification.js';
import type { CompiledConditions, LineGroup, TaxonomyRule } from './taxonomy-types.js';

/** Everything a rule can test about one failure. */
export interface FailureFacts {
  test: string | null;
  phase: FailurePhase | null;
  exception: string | null;
  /** The exception's message (or the crash line), line by line. */
  messageLines: string[];
  signal: string | null;
  oomKilled: boolean;
  exitStatus: number | null;
  parallelism: Parallelism;
  signature: string;
  /** The line groups (a rule's `patterns`, a `when` entry's `output`) that some line of the failure's output matched: key → that line. */
  lineMatches: ReadonlyMap<string, string>;
}

/** How a rule matched: the output line that did, or null when conditions alone did. */
export interface RuleMatch {
  line: string | null;
}

/** Whether a rule matches a failure: its patterns (if any) and all conditions of one of its `when` entries. */
export function matchRule(rule: TaxonomyRule, facts: FailureFacts): RuleMatch | null {
  const patternLine = rule.lines === null ? null : (facts.lineMatches.get(rule.lines.key) ?? null);
  if (rule.lines !== null && patternLine === null) return null;
  for (const conditions of rule.alternatives) {
    if (!holds(conditions, facts)) continue;
    return { line: patternLine ?? (conditions.output === undefined ? null : facts.lineMatches.get(conditions.output.key)!) };
  }
  return null;
}

/** Whether every condition given holds. */
export function holds(c: CompiledConditions, f: FailureFacts): boolean {
  if (c.parallelism !== undefined && c.parallelism !== f.parallelism) return false;
  if (c.test !== undefined && (f.test === null || !c.test.test(f.test))) return false;
  if (c.exception !== undefined && (f.exception === null || !c.exception.some((name) => name.test(f.exception!)))) return false;
  if (c.phase !== undefined && (f.phase === null || !c.phase.has(f.phase))) return false;
  if (c.exitStatus !== undefined && (f.exitStatus === null || !c.exitStatus.has(f.exitStatus))) return false;
  if (c.signal !== undefined && (f.signal === null || !c.signal.has(f.signal))) return false;
  if (c.oomKilled !== undefined && c.oomKilled !== f.oomKilled) return false;
  if (c.message !== undefined && !c.message.some((regex) => f.messageLines.some((line) => regex.test(line)))) return false;
  if (c.output !== undefined && !f.lineMatches.has(c.output.key)) return false;
  if (c.signature !== undefined && !c.signature.has(f.signature)) return false;
  return true;
}

/** The line groups of some rules, each scanned for on every line: their `patterns`, then their `when` entries' `output`. */
export function lineGroups(rules: readonly TaxonomyRule[]): LineGroup[] {
  return rules.flatMap((rule) => [rule.lines, ...rule.alternatives.map((c) => c.output)]).filter((g): g is LineGroup => g !== null && g !== undefined);
}
