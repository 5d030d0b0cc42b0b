import { zeroFailureUpperBound } from '../stats/wilson.js';
import type { Failure } from '../core/result.js';
import type { CellsSummary, Dependence } from './cell-summary.js';
import { fitNodeId, shortenNodeIds } from './node-id-display.js';
import type { DecisionSummary } from './decision-summary.js';
import type { ClassSummary, RateEstimate, SweepInfo, SweepSummary } from './summary-types.js';
import { runName } from '../store/layout.js';
import { runLevelWays, runWayText } from './run-ways.js';

const MAX_CLASSES = 6;
const MAX_INFRA_CLASSES = 3;
const MAX_TESTS = 5;
const MAX_RUNS = 15;
const MAX_WAYS = 3;
const MESSAGE_WIDTH = 120;
const TEST_WIDTH = 100;

/** A rate as a percentage: 0.26 → `26.0%`. */
export function formatPercent(rate: number, digits = 1): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

/** An interval as percentages: `15.9–39.6%`. */
export function formatInterval(interval: { lower: number; upper: number }, digits = 1): string {
  return `${(interval.lower * 100).toFixed(digits)}–${formatPercent(interval.upper, digits)}`;
}

/** A rate with its count and interval: `26.0% (13/50), 95% CI 15.9–39.6%`. */
export function formatRate(estimate: RateEstimate): string {
  return `${formatPercent(estimate.rate)} (${estimate.count}/${estimate.total}), 95% CI ${formatInterval(estimate)}`;
}

/** Run names with three or more consecutive iterations as a range (`run003, run010–run014`), capped at `max` entries. */
export function formatRunList(runs: number[], max = MAX_RUNS): string {
  const sorted = [...new Set(runs)].sort((x, y) => x - y);
  const parts: Array<{ text: string; size: number }> = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const first = sorted[i] ?? 0;
    const last = sorted[j] ?? 0;
    if (j - i >= 2) {
      parts.push({ text: `${runName(first)}–${runName(last)}`, size: j - i + 1 });
      i = j + 1;
    } else {
      parts.push({ text: runName(first), size: 1 });
      i += 1;
    }
  }
  const shown = parts.slice(0, max);
  const hidden = parts.slice(max).reduce((sum, p) => sum + p.size, 0);
  return shown.map((p) => p.text).join(', ') + (hidden > 0 ? `, … and ${hidden} more` : '');
}

/** Cuts a string to `width` characters, ending it with `…` when cut. */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

/** Lines of a left-aligned table, columns separated by two spaces; numeric columns (`right`) are right-aligned. */
function table(rows: string[][], right: Set<number>, indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    (indent + row.map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ')).trimEnd(),
  );
}

/** The class tables: test-bug classes, then infrastructure classes under their own heading, sharing column widths; each capped. */
function classLines(classes: ClassSummary[]): string[] {
  const groups = [
    { classes: classes.filter((c) => c.kind !== 'infrastructure'), max: MAX_CLASSES, heading: null },
    { classes: classes.filter((c) => c.kind === 'infrastructure'), max: MAX_INFRA_CLASSES, heading: 'Infrastructure classes (noise around the tests, not test bugs):' },
  ];
  const shown = groups.map((g) => g.classes.slice(0, g.max));
  const rows = table(
    shown.flat().map((c) => [c.id, truncate(c.title, 40), c.kind, String(c.runs.count), formatPercent(c.runs.rate), formatInterval(c.runs)]),
    new Set([3, 4]),
  );
  const lines: string[] = [];
  groups.forEach((g, i) => {
    if (g.classes.length === 0) return;
    if (g.heading) lines.push(g.heading);
    lines.push(...rows.splice(0, shown[i]?.length ?? 0));
    if (g.classes.length > g.max) lines.push(`  … and ${g.classes.length - g.max} more`);
  });
  return lines;
}

/** A change of regime, a host that fails far more often, and ways of failing that went quiet. */
function trendLines(summary: SweepSummary): string[] {
  const lines: string[] = [];
  const whatFailed = (f: Failure) => `${f.test === null ? 'the run' : fitNodeId(f.test, 60)} ${f.class}${signatureTag(f)}`;
  if (summary.shift !== null) {
    const { shift } = summary;
    const appeared = shift.appeared.length === 0 ? '' : `; appeared after it: ${shift.appeared.slice(0, 3).map(whatFailed).join(', ')}`;
    lines.push('', `Failure rate changed at ${runName(shift.run)}: ${shift.before.count}/${shift.before.total} (${formatPercent(shift.before.rate)}) before, ${shift.after.count}/${shift.after.total} (${formatPercent(shift.after.rate)}) after (${formatP(shift.p)}, permutation test)${appeared}`);
  }
  for (const host of summary.hosts?.filter((h) => h.flagged) ?? []) {
    lines.push('', `WARNING: host ${host.host} fails far more often than the others: ${host.rate.count}/${host.rate.total} (${formatPercent(host.rate.rate)}) against ${formatPercent(host.othersRate)} (Holm-adjusted ${formatP(host.adjustedP)}): a broken machine is not a flaky test`);
  }
  const quiet = summary.quiet.slice(0, 3);
  if (quiet.length > 0) lines.push('', 'Not seen lately:');
  for (const q of quiet) {
    lines.push(`  ${whatFailed(q.example)} — last in ${runName(q.lastSeen)} (${q.occurrences}× before), ${q.cleanSince} clean since: at its earlier rate that would happen ${formatPercent(q.probabilityOfCleanStreak)} of the time; gone with probability ${formatPercent(q.probabilityGone)}`);
  }
  return lines;
}

/**
 * ` [3f2a9c01b7e4]`: which way of failing a line is about, when the line names a test and a class
 * but is about one of its signatures (a test can fail two ways under one class).
 */
export function signatureTag(f: { signature?: string }): string {
  return f.signature === undefined ? '' : ` [${f.signature}]`;
}

/** A p-value for a sentence: `p = 0.004`, `p = 0.27`, `p < 0.001`. */
export function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${Number(p.toFixed(p < 0.1 ? 3 : 2))}`;
}

/** What --until-decided answered, and what a fixed plan would have cost: one sentence. */
export function decisionSentence(d: DecisionSummary): string {
  return decisionLines(d)[0]!;
}

function decisionLines(d: DecisionSummary): string[] {
  const q = d.question;
  const test = q.mode === 'target' ? `truncated SPRT, α ${formatPercent(q.alpha)}, power ${formatPercent(q.power)} at ${formatPercent(d.powerRate, 2)}` : `repeated Fisher test against the baseline, α ${formatPercent(q.alpha)}, power ${formatPercent(q.power)} at ${formatPercent(d.powerRate, 2)}`;
  const fixed = d.fixedPlanIterations === null ? '' : q.mode === 'target'
    ? `; a fixed plan needs ${d.fixedPlanIterations} clean runs`
    : `; a fixed two-sample plan needs ${d.fixedPlanIterations} per sweep`;
  if (d.answer === null) return [`Decision (${test}): not yet, after ${d.iterations} iteration(s) in order (${d.failures} failed); at most ${d.worstCaseIterations}${fixed}`];
  return [`Decision (${test}): ${d.answer}, after ${d.iterations} iteration(s) (${d.failures} failed)${fixed}`];
}

export const DEPENDENCE: Record<Dependence['dependsOn'], string> = {
  order: 'depends on test order (fails more when reordered)',
  load: 'depends on load (fails more under CPU, stalls, parallelism or I/O)',
  neither: 'depends on neither order nor load (about as often everywhere)',
  unclear: 'too few iterations to tell what it depends on',
};

/** The per-cell table and, per way of failing, what it depends on. */
function cellLines(cells: CellsSummary): string[] {
  const rows = table(cells.cells.map((c) => [
    truncate(c.cell, 60),
    `${c.failure.count}/${c.failure.total}`,
    formatPercent(c.failure.rate),
    formatInterval(c.failure),
    c.firstFailure === null ? '-' : `${runName(c.firstFailure.run)} (${ordinal(c.firstFailure.nth)})`,
    c.vsReference === null ? 'reference' : `${c.vsReference.direction}, p ${c.vsReference.pValue < 0.001 ? '< 0.001' : `= ${c.vsReference.pValue.toFixed(3)}`}`,
  ]), new Set([1, 2]));
  const against = cells.referenceUnperturbed ? `the unperturbed cell ${cells.reference}` : `the first cell ${cells.reference} (none is unperturbed)`;
  const lines = [`Cells (failed of counted, 95% CI, first failure, against ${against}):`, ...rows];
  if (cells.dependence.length > 0) lines.push('', 'What each way of failing depends on:');
  for (const d of cells.dependence.slice(0, MAX_TESTS)) {
    lines.push(`  ${truncate(`${d.example.test ?? 'run'} ${d.example.class}`, TEST_WIDTH - 15)}${signatureTag(d.example)} — ${DEPENDENCE[d.dependsOn]}${d.onlyUnderPerturbation ? '; never seen unperturbed: maybe caused by the perturbation, not reproduced' : ''}`);
    if (d.detail !== '') lines.push(`      ${d.detail}`);
  }
  return lines;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix} of the cell`;
}

/** `1 error`, `0 errors`. */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Under what the sweep's iterations ran, for a header: `parallelism serial`, `parallelism 4,
 * perturbation cpu:0.2-0.5+shuffle`, or for a matrix or hunt `3 cells` (each iteration records its
 * own, and the cells table gives them).
 */
export function describeConditions(info: Pick<SweepInfo, 'parallelism' | 'perturbation' | 'matrix'>): string {
  if (info.matrix !== undefined && info.matrix !== null && info.matrix.length > 0) return `${info.matrix.length} cells (parallelism and perturbation per cell)`;
  return `parallelism ${info.parallelism}${info.perturbation ? `, perturbation ${info.perturbation}` : ''}`;
}

/** The sweep's summary as plain text (summary.txt and the end-of-sweep terminal summary); at most about 40 lines. */
export function renderSummaryText(summary: SweepSummary): string {
  const { info } = summary;
  const lines: string[] = [];
  const tag = info.tag ? `, tag ${info.tag}` : '';
  lines.push(`Sweep ${info.name} — image ${info.image ?? '(unknown)'}, ${describeConditions(info)}${tag}`);
  lines.push(
    `Iterations: ${summary.finished} finished — ${summary.passed} passed, ${summary.failed} failed, ` +
      `${plural(summary.errors, 'error')}, ${summary.interrupted} interrupted`,
  );
  const { failure, testBugFailure } = summary;
  if (summary.counted === 0) {
    lines.push('No passed or failed iterations yet: no failure rate to report.');
  } else if (failure.count === 0) {
    const bound = zeroFailureUpperBound(summary.counted);
    lines.push(`0/${summary.counted} failed: the true failure rate is below ${formatPercent(bound)} with 95% confidence`);
  } else {
    lines.push(`Failure rate: ${formatRate(failure)}`);
  }
  if (summary.counted > 0 && testBugFailure.count !== failure.count) {
    lines.push(`Test-bug failures only (infrastructure-only failures left out): ${formatRate(testBugFailure)}`);
  }
  const excluded = summary.excludedRuns ?? [];
  if (excluded.length > 0) {
    lines.push(`Not counted, failed only with infrastructure classes: ${formatRunList(excluded, 8)}`);
  }
  if (summary.decision !== null) lines.push(...decisionLines(summary.decision));
  if (summary.meanDurationMs !== null) {
    lines.push(`Mean duration: ${(summary.meanDurationMs / 1000).toFixed(1)} s per counted iteration`);
  }

  if (summary.classes.length > 0) {
    lines.push('', `Failure classes (iterations with the class, of ${summary.counted} counted):`);
    lines.push(...classLines(summary.classes));
  }

  if (summary.tests.length > 0) {
    lines.push('', `Failing tests (iterations failed, of ${summary.counted} counted), each way it failed under it:`);
    const names = shortenNodeIds(summary.tests.map((t) => t.test), TEST_WIDTH);
    for (const t of summary.tests.slice(0, MAX_TESTS)) {
      lines.push(`  ${names.get(t.test)} — ${t.runs.count} (${formatPercent(t.runs.rate)}) ${t.classes.join(', ')}`);
      const ways = summary.ways.filter((w) => w.tests.includes(t.test));
      if (ways.length === 0 || ways.every((w) => w.signature === null)) {
        lines.push(`      ${truncate(t.firstMessage, MESSAGE_WIDTH)}`);
        continue;
      }
      for (const w of ways.slice(0, MAX_WAYS)) lines.push(`      [${w.signature ?? w.classes.join(',')}] ${w.runs.count} (${formatPercent(w.runs.rate)}, ${formatInterval(w.runs)}): ${truncate(w.example, MESSAGE_WIDTH - 30)}`);
      if (ways.length > MAX_WAYS) lines.push(`      … and ${ways.length - MAX_WAYS} more ways`);
    }
    if (summary.tests.length > MAX_TESTS) lines.push(`  … and ${summary.tests.length - MAX_TESTS} more`);
  }
  const runWays = runLevelWays(summary);
  if (runWays.length > 0) {
    lines.push('', `Failures of the run, no test named (iterations, of ${summary.counted} counted), each way:`);
    for (const w of runWays.slice(0, MAX_TESTS)) lines.push(`  [${w.signature}] ${w.runs.count} (${formatPercent(w.runs.rate)}, ${formatInterval(w.runs)}) ${w.classes.join(', ')}: ${truncate(runWayText(w), MESSAGE_WIDTH - 30)}`);
    if (runWays.length > MAX_TESTS) lines.push(`  … and ${runWays.length - MAX_TESTS} more`);
  }
  lines.push(...trendLines(summary));

  if (summary.cells !== null) lines.push('', ...cellLines(summary.cells));

  const errorRuns = summary.results.filter((r) => r.status === 'error').map((r) => r.iteration);
  const interruptedRuns = summary.results.filter((r) => r.status === 'interrupted').map((r) => r.iteration);
  const runLines: string[] = [];
  if (summary.failedRuns.length > 0) runLines.push(`Failed runs: ${formatRunList(summary.failedRuns)}`);
  if (errorRuns.length > 0) runLines.push(`Errors: ${formatRunList(errorRuns)}`);
  if (interruptedRuns.length > 0) runLines.push(`Interrupted: ${formatRunList(interruptedRuns)}`);
  if (runLines.length > 0) lines.push('', ...runLines);
  return `${lines.join('\n')}\n`;
}
