import { countByStatus, UNCLASSIFIED, isVerdict, type IterationResult } from '../core/result.js';
import type { RuleKind } from '../classify/taxonomy-types.js';
import { estimateRate } from '../stats/wilson.js';
import { summarizeCells } from './cell-summary.js';
import { summarizeDecision } from './decision-summary.js';
import { huntCellsOf, huntVerdict } from './hunt-verdict.js';
import { failureKey } from './failure-keys.js';
import { quietWays, ratesByHost, regimeShift } from './trend-summary.js';
import type { ClassSummary, SweepInfo, SweepSummary, TestSummary, WaySummary } from './summary-types.js';

/** The parts of a taxonomy rule a summary needs. */
export interface RuleInfo {
  id: string;
  title: string;
  kind: RuleKind;
}

export interface SummarizeOptions {
  /** Leave out of the rates every failed iteration whose failures are all of infrastructure classes. */
  excludeInfrastructure?: boolean;
}

/** Every class an iteration failed with, from `classes` and from its failures. */
function classesOf(result: IterationResult): Set<string> {
  return new Set([...result.classes, ...result.failures.map((f) => f.class)]);
}

/** Counts, rates, classes and failing tests of one sweep, from its iteration results. */
export function summarize(
  results: IterationResult[],
  info: SweepInfo,
  rules: RuleInfo[],
  options: SummarizeOptions = {},
): SweepSummary {
  const sorted = [...results].sort((x, y) => x.iteration - y.iteration);
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const isInfrastructure = (id: string): boolean => ruleById.get(id)?.kind === 'infrastructure';

  const excludedRuns: number[] = [];
  const counted = sorted.filter((r) => {
    if (!isVerdict(r)) return false;
    if (options.excludeInfrastructure && r.status === 'failed') {
      const classes = [...classesOf(r)];
      if (classes.length > 0 && classes.every(isInfrastructure)) {
        excludedRuns.push(r.iteration);
        return false;
      }
    }
    return true;
  });
  const failedCounted = counted.filter((r) => r.status === 'failed');
  // A failed iteration with no class at all is of unknown cause, so it is not written off as infrastructure.
  const testBugCount = failedCounted.filter((r) => {
    const classes = [...classesOf(r)];
    return classes.length === 0 || classes.some((id) => !isInfrastructure(id));
  }).length;

  const n = counted.length;
  const byStatus = countByStatus(sorted);
  const summary: SweepSummary = {
    info,
    results: sorted,
    finished: sorted.length,
    passed: byStatus.passed,
    failed: byStatus.failed,
    errors: byStatus.error,
    interrupted: byStatus.interrupted,
    counted: n,
    failure: estimateRate(failedCounted.length, n),
    testBugFailure: estimateRate(testBugCount, n),
    classes: summarizeClasses(counted, rules),
    tests: summarizeTests(counted, rules),
    failedRuns: failedCounted.map((r) => r.iteration),
    meanDurationMs: n === 0 ? null : counted.reduce((sum, r) => sum + r.durationMs, 0) / n,
    cells: summarizeCells(counted),
    decision: info.decision ? summarizeDecision(sorted, info.decision) : null,
    hunt: info.hunt ? huntVerdict(sorted, huntCellsOf(sorted, info), info.hunt) : null,
    shift: regimeShift(counted),
    hosts: ratesByHost(counted),
    quiet: quietWays(counted),
    ways: summarizeWays(counted),
  };
  if (options.excludeInfrastructure) summary.excludedRuns = excludedRuns;
  return summary;
}

/** One row per class that occurred: taxonomy order, then ids the taxonomy lacks, then UNCLASSIFIED. */
function summarizeClasses(counted: IterationResult[], rules: RuleInfo[]): ClassSummary[] {
  const runsByClass = new Map<string, number[]>();
  for (const r of counted) {
    if (r.status !== 'failed') continue;
    for (const id of classesOf(r)) {
      const runs = runsByClass.get(id) ?? [];
      runs.push(r.iteration);
      runsByClass.set(id, runs);
    }
  }
  const known = new Set(rules.map((r) => r.id));
  const unknown = [...runsByClass.keys()].filter((id) => !known.has(id) && id !== UNCLASSIFIED).sort();
  const order: Array<Pick<ClassSummary, 'id' | 'title' | 'kind'>> = [
    ...rules.map((r) => ({ id: r.id, title: r.title, kind: r.kind })),
    // Ids from an older or different taxonomy: treated as test bugs, like UNCLASSIFIED.
    ...unknown.map((id) => ({ id, title: '(not in this taxonomy)', kind: 'test-bug' as const })),
    { id: UNCLASSIFIED, title: 'Matched no rule', kind: 'unclassified' as const },
  ];
  return order.flatMap((c) => {
    const runNumbers = runsByClass.get(c.id);
    return runNumbers ? [{ ...c, runs: estimateRate(runNumbers.length, counted.length), runNumbers }] : [];
  });
}

/** One row per failing test: most frequent first, then by name. */
function summarizeTests(counted: IterationResult[], rules: RuleInfo[]): TestSummary[] {
  const rank = (id: string): number => {
    const i = rules.findIndex((r) => r.id === id);
    return i >= 0 ? i : id === UNCLASSIFIED ? rules.length + 1 : rules.length;
  };
  const byTest = new Map<string, { runNumbers: number[]; classes: Set<string>; firstMessage: string }>();
  // `counted` is in iteration order, so the first message seen is from the lowest iteration.
  for (const r of counted) {
    if (r.status !== 'failed') continue;
    for (const f of r.failures) {
      if (f.test === null) continue;
      let entry = byTest.get(f.test);
      if (!entry) {
        entry = { runNumbers: [], classes: new Set(), firstMessage: f.message };
        byTest.set(f.test, entry);
      }
      if (entry.runNumbers[entry.runNumbers.length - 1] !== r.iteration) entry.runNumbers.push(r.iteration);
      entry.classes.add(f.class);
    }
  }
  return [...byTest.entries()]
    .map(([test, e]) => ({
      test,
      runs: estimateRate(e.runNumbers.length, counted.length),
      runNumbers: e.runNumbers,
      classes: [...e.classes].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0)),
      firstMessage: e.firstMessage,
    }))
    .sort((x, y) => y.runs.count - x.runs.count || (x.test < y.test ? -1 : x.test > y.test ? 1 : 0));
}

/** One row per way of failing (signature, or class and test): most frequent first. */
function summarizeWays(counted: IterationResult[]): WaySummary[] {
  const byKey = new Map<string, { signature: string | null; signatureText: string | null; tests: Set<string>; classes: Set<string>; runNumbers: number[]; example: string }>();
  for (const r of counted) {
    if (r.status !== 'failed') continue;
    for (const f of r.failures) {
      const key = failureKey(f);
      let entry = byKey.get(key);
      if (entry === undefined) {
        entry = { signature: f.signature ?? null, signatureText: f.signatureText ?? null, tests: new Set(), classes: new Set(), runNumbers: [], example: f.message };
        byKey.set(key, entry);
      }
      if (f.test !== null) entry.tests.add(f.test);
      entry.classes.add(f.class);
      if (entry.runNumbers.at(-1) !== r.iteration) entry.runNumbers.push(r.iteration);
    }
  }
  return [...byKey.entries()]
    .map(([key, e]) => ({ key, signature: e.signature, signatureText: e.signatureText, tests: [...e.tests].sort(), classes: [...e.classes].sort(), runs: estimateRate(e.runNumbers.length, counted.length), runNumbers: e.runNumbers, example: e.example }))
    .sort((x, y) => y.runs.count - x.runs.count || (x.key < y.key ? -1 : 1));
}
