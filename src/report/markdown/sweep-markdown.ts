import { runName } from '../../store/layout.js';
import { zeroFailureUpperBound } from '../../stats/wilson.js';
import type { CellsSummary } from '../cell-summary.js';
import { huntNextOf } from '../hunt-verdict.js';
import { runLevelWays, runWayText } from '../run-ways.js';
import { DEPENDENCE, decisionSentence, describeConditions, formatInterval, formatPercent, formatRate, formatRunList, truncate } from '../summary-text.js';
import type { SweepSummary } from '../summary-types.js';
import { renderHuntMarkdown } from './hunt-markdown.js';
import { codeSpan, tableRow } from './markdown-text.js';

/**
 * A change in the failure rate along the iteration order ("failure rate changed at run 91: 0/90
 * before, 5/10 after"): by default the one the summary found (SweepSummary.shift).
 */
export interface ChangePoint {
  /** The first iteration of the new regime. */
  iteration: number;
  before: { failed: number; total: number };
  after: { failed: number; total: number };
  pValue?: number;
  /** Failure signatures first seen after the change. */
  newSignatures?: string[];
}

export interface MarkdownOptions {
  changePoint?: ChangePoint | null;
  /** Failing tests shown in the table; the rest are counted. */
  maxTests?: number;
  /** A hunt's commands to run next, when the caller knows more than the folder (the rerun under the best conditions). */
  huntNext?: { replay: string | null; rerun: string | null };
}

const MAX_TESTS = 20;
const MESSAGE_WIDTH = 160;

function changePointLine(cp: ChangePoint): string {
  const p = cp.pValue === undefined ? '' : `, p = ${cp.pValue < 0.001 ? cp.pValue.toExponential(1) : cp.pValue.toFixed(3)}`;
  const signatures = cp.newSignatures?.length ? `; new signatures ${cp.newSignatures.map(codeSpan).join(' ')}` : '';
  return `**Change point:** the failure rate changed at ${runName(cp.iteration)}: ${cp.before.failed}/${cp.before.total} failed before, ${cp.after.failed}/${cp.after.total} after${p}${signatures}.`;
}

function shiftAsChangePoint(summary: SweepSummary): ChangePoint | null {
  const { shift } = summary;
  if (shift === null) return null;
  return {
    iteration: shift.run,
    before: { failed: shift.before.count, total: shift.before.total },
    after: { failed: shift.after.count, total: shift.after.total },
    pValue: shift.p,
    newSignatures: shift.appeared.map((f) => f.signature ?? `${f.class} ${f.test ?? 'run'}`),
  };
}

function rateLines(summary: SweepSummary): string[] {
  const { failure, testBugFailure, counted } = summary;
  if (counted === 0) return ['**No passed or failed iterations yet:** no failure rate to report.'];
  const lines =
    failure.count === 0
      ? [`**0/${counted} failed:** the true failure rate is below ${formatPercent(zeroFailureUpperBound(counted))} with 95% confidence.`]
      : [`**Failure rate ${formatPercent(failure.rate)}** (${failure.count}/${failure.total} iterations), 95% CI ${formatInterval(failure)}.`];
  if (testBugFailure.count !== failure.count) lines.push('', `Test-bug failures only (infrastructure-only failures left out): ${formatRate(testBugFailure)}.`);
  return lines;
}

function facts(summary: SweepSummary): string {
  const { info } = summary;
  const parts = [
    `${summary.finished} iterations finished: ${summary.passed} passed, ${summary.failed} failed, ${summary.errors} errors, ${summary.interrupted} interrupted`,
  ];
  if (info.image) parts.push(`image ${codeSpan(info.image)}`);
  parts.push(info.matrix !== undefined && info.matrix !== null && info.matrix.length > 0
    ? describeConditions(info)
    : `parallelism ${codeSpan(info.parallelism)}${info.perturbation ? `, perturbation ${codeSpan(info.perturbation)}` : ''}`);
  if (summary.meanDurationMs !== null) parts.push(`mean ${(summary.meanDurationMs / 1000).toFixed(1)} s per iteration`);
  return `${parts.join(' · ')}.`;
}

function classTable(summary: SweepSummary): string[] {
  if (summary.classes.length === 0) return [];
  return [
    '',
    `#### Failure classes (iterations with the class, of ${summary.counted} counted)`,
    '',
    tableRow(['Class', 'Title', 'Kind', 'Iterations', 'Rate', '95% CI']),
    tableRow(['---', '---', '---', '---:', '---:', '---']),
    ...summary.classes.map((c) => tableRow([codeSpan(c.id), codeSpan(c.title), c.kind, String(c.runs.count), formatPercent(c.runs.rate), formatInterval(c.runs)])),
  ];
}

function testTable(summary: SweepSummary, max: number): string[] {
  if (summary.tests.length === 0) return [];
  const shown = summary.tests.slice(0, max);
  const lines = [
    '',
    `#### Failing tests (iterations failed, of ${summary.counted} counted)`,
    '',
    tableRow(['Test', 'Iterations', 'Rate', '95% CI', 'Classes', 'First message']),
    tableRow(['---', '---:', '---:', '---', '---', '---']),
    ...shown.map((t) =>
      tableRow([codeSpan(t.test), String(t.runs.count), formatPercent(t.runs.rate), formatInterval(t.runs), t.classes.map(codeSpan).join(' '), codeSpan(truncate(t.firstMessage, MESSAGE_WIDTH))]),
    ),
  ];
  if (summary.tests.length > max) lines.push('', `… and ${summary.tests.length - max} more failing tests (summary.txt lists them all).`);
  return lines;
}

function runWayTable(summary: SweepSummary): string[] {
  const ways = runLevelWays(summary);
  if (ways.length === 0) return [];
  return [
    '',
    `#### Failures of the run, no test named (iterations, of ${summary.counted} counted)`,
    '',
    tableRow(['Signature', 'Iterations', 'Rate', '95% CI', 'Classes', 'Way of failing']),
    tableRow(['---', '---:', '---:', '---', '---', '---']),
    ...ways.slice(0, MAX_TESTS).map((w) => tableRow([codeSpan(w.signature!), String(w.runs.count), formatPercent(w.runs.rate), formatInterval(w.runs), w.classes.map(codeSpan).join(' '), codeSpan(truncate(runWayText(w), MESSAGE_WIDTH))])),
  ];
}

/** A matrix's or hunt's cells against the reference cell, and what each way of failing depends on. */
function cellTable(cells: CellsSummary, max: number): string[] {
  const against = cells.referenceUnperturbed ? `the unperturbed cell ${codeSpan(cells.reference)}` : `the first cell ${codeSpan(cells.reference)} (none is unperturbed)`;
  const lines = [
    '',
    `#### Conditions (iterations failed, of those counted in each cell, against ${against})`,
    '',
    tableRow(['Cell', 'Failed', 'Rate', '95% CI', 'First failure', 'Against the reference']),
    tableRow(['---', '---:', '---:', '---', '---', '---']),
    ...cells.cells.map((c) =>
      tableRow([
        codeSpan(c.cell),
        `${c.failure.count}/${c.failure.total}`,
        formatPercent(c.failure.rate),
        formatInterval(c.failure),
        c.firstFailure === null ? '–' : runName(c.firstFailure.run),
        c.vsReference === null ? 'reference' : `${c.vsReference.direction}, p ${c.vsReference.pValue < 0.001 ? '< 0.001' : `= ${c.vsReference.pValue.toFixed(3)}`}`,
      ]),
    ),
  ];
  if (cells.dependence.length > 0) lines.push('');
  for (const d of cells.dependence.slice(0, max)) {
    const caveat = d.onlyUnderPerturbation ? '; never seen unperturbed: maybe caused by the perturbation, not reproduced' : '';
    lines.push(`- ${codeSpan(d.example.test ?? 'run')} ${codeSpan(d.example.class)}${d.example.signature === undefined ? '' : ` ${codeSpan(d.example.signature)}`}: ${DEPENDENCE[d.dependsOn]}${caveat}${d.detail === '' ? '' : ` (${d.detail})`}`);
  }
  return lines;
}

function runLines(summary: SweepSummary): string[] {
  const runsWith = (status: string): number[] => summary.results.filter((r) => r.status === status).map((r) => r.iteration);
  const groups: Array<[string, number[]]> = [
    ['Failed runs', summary.failedRuns],
    ['Errors (not counted)', runsWith('error')],
    ['Interrupted (not counted)', runsWith('interrupted')],
  ];
  const lines = groups.filter(([, runs]) => runs.length > 0).map(([label, runs]) => `- ${label}: ${formatRunList(runs)}`);
  return lines.length > 0 ? ['', ...lines] : [];
}

/**
 * A sweep's summary as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and `report --markdown`:
 * the rate with its interval, the counts, the change point when one is given, the --until-decided
 * answer, then tables of classes, failing tests and (for a matrix or hunt) its cells. It has no links, and text from outside is in code spans (see codeSpan).
 */
export function renderMarkdownSummary(summary: SweepSummary, options: MarkdownOptions = {}): string {
  const lines = [`### flakehunt: ${codeSpan(summary.info.name)}`, '', ...rateLines(summary), '', facts(summary)];
  const changePoint = options.changePoint === undefined ? shiftAsChangePoint(summary) : options.changePoint;
  if (changePoint) lines.push('', changePointLine(changePoint));
  if (summary.decision !== null) lines.push('', `**${decisionSentence(summary.decision)}.**`);
  lines.push(...classTable(summary), ...testTable(summary, options.maxTests ?? MAX_TESTS), ...runWayTable(summary), ...runLines(summary));
  if (summary.cells !== null) lines.push(...cellTable(summary.cells, options.maxTests ?? MAX_TESTS));
  if (summary.hunt !== null) lines.push('', renderHuntMarkdown(summary.hunt, options.huntNext ?? huntNextOf(summary)).trimEnd());
  return `${lines.join('\n')}\n`;
}
