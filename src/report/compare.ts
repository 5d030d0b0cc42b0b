import { fisherExactTwoSided } from '../stats/fisher.js';
import { holmAdjust } from '../stats/multiplicity.js';
import { runsToDistinguish } from '../stats/sample-size.js';
import { estimateRate } from '../stats/wilson.js';
import { comparabilityWarnings, type SweepDifference, sweepDifferences } from './comparability.js';
import { failureKey } from './failure-keys.js';
import { fitNodeId } from './node-id-display.js';
import { formatP, formatPercent, truncate } from './summary-text.js';
import type { RateEstimate, SweepSummary } from './summary-types.js';

/** Significance level for verdicts. */
export const ALPHA = 0.05;

/** One compared quantity: a failure rate in sweep a against the same rate in sweep b. */
export interface ComparisonRow {
  kind: 'overall' | 'test-bug' | 'class' | 'test' | 'signature';
  /** `overall`, `test-bug`, a class id or a test node id. */
  key: string;
  label: string;
  a: RateEstimate;
  b: RateEstimate;
  /** b.rate − a.rate. */
  difference: number;
  /** Two-sided Fisher exact p-value. */
  pValue: number;
  /** Holm-adjusted over the rows below the headline; null for the headline row, which is the test. */
  adjustedP: number | null;
  /** At alpha, by the adjusted p-value where there is one. */
  significant: boolean;
  direction: 'fewer' | 'more' | 'same';
  /** More iterations per sweep suggested to tell the rates apart, when the difference is not significant. */
  moreRunsNeeded: number | null;
  verdict: string;
}

/** Two sweeps compared rate by rate; plain data, printed as JSON with --json. */
export interface Comparison {
  a: { name: string; dir: string; counted: number };
  b: { name: string; dir: string; counted: number };
  alpha: number;
  rows: ComparisonRow[];
  /** How the two sweeps differ besides their results (sweep.json). */
  differences: SweepDifference[];
  /** Differences that change what the rates mean, in words. */
  warnings: string[];
}

export { formatP };

/** Compares one rate between the sweeps and words the verdict. */
function compareRates(kind: ComparisonRow['kind'], key: string, label: string, a: RateEstimate, b: RateEstimate, bName: string): ComparisonRow {
  const pValue = fisherExactTwoSided(a.count, a.total - a.count, b.count, b.total - b.count);
  const difference = b.rate - a.rate;
  const direction = difference < 0 ? 'fewer' : difference > 0 ? 'more' : 'same';
  const significant = a.total > 0 && b.total > 0 && pValue < ALPHA;
  let moreRunsNeeded: number | null = null;
  let verdict: string;
  if (a.total === 0 || b.total === 0) {
    verdict = 'cannot compare: a sweep has no counted iterations';
  } else if (significant) {
    verdict = `${direction} failures with ${bName}, ${formatP(pValue)}`;
  } else if (direction === 'same') {
    verdict = 'no difference observed';
  } else {
    const perGroup = runsToDistinguish(a.rate, b.rate) ?? 0;
    moreRunsNeeded = Math.max(1, perGroup - Math.min(a.total, b.total));
    verdict = `no significant difference at these counts — run about ${moreRunsNeeded} more iterations per sweep to tell`;
  }
  return { kind, key, label, a, b, difference, pValue, adjustedP: null, significant, direction, moreRunsNeeded, verdict };
}

/**
 * The rows below the headline, judged by Holm-adjusted p-values: with a dozen rows a "significant"
 * one by chance alone would be likely otherwise. Holm keeps the chance of any false row at alpha
 * whatever the rows' dependence (they count the same iterations).
 */
function adjusted(rows: ComparisonRow[], bName: string): ComparisonRow[] {
  const ps = holmAdjust(rows.map((r) => r.pValue));
  return rows.map((row, i) => {
    const adjustedP = ps[i]!;
    const significant = row.a.total > 0 && row.b.total > 0 && adjustedP < ALPHA;
    if (significant === row.significant && !significant) return { ...row, adjustedP };
    const verdict = significant
      ? `${row.direction} failures with ${bName}, ${formatP(adjustedP)} (Holm-adjusted)`
      : `not significant once adjusted for ${rows.length} rows (${formatP(adjustedP)}, Holm)`;
    return { ...row, adjustedP, significant, verdict };
  });
}

/** Compares sweep b against sweep a: overall, test-bug-only (when it differs), each class and each failing test. */
export function compareSweeps(a: SweepSummary, b: SweepSummary): Comparison {
  const bName = b.info.name;
  const rows: ComparisonRow[] = [compareRates('overall', 'overall', 'all failures', a.failure, b.failure, bName)];
  if (a.testBugFailure.count !== a.failure.count || b.testBugFailure.count !== b.failure.count) {
    rows.push(compareRates('test-bug', 'test-bug', 'test-bug failures', a.testBugFailure, b.testBugFailure, bName));
  }

  const classIds = [...new Set([...a.classes.map((c) => c.id), ...b.classes.map((c) => c.id)])];
  const unclassifiedLast = classIds.filter((id) => id !== 'UNCLASSIFIED').concat(classIds.filter((id) => id === 'UNCLASSIFIED'));
  for (const id of unclassifiedLast) {
    const ca = a.classes.find((c) => c.id === id);
    const cb = b.classes.find((c) => c.id === id);
    const title = (ca ?? cb)?.title ?? '';
    const kind = (ca ?? cb)?.kind;
    const label = `${id} ${title}${kind === 'infrastructure' ? ' [infra]' : ''}`;
    rows.push(compareRates('class', id, label, ca?.runs ?? estimateRate(0, a.counted), cb?.runs ?? estimateRate(0, b.counted), bName));
  }

  const testRows = [...new Set([...a.tests.map((t) => t.test), ...b.tests.map((t) => t.test)])].map((test) => {
    const ta = a.tests.find((t) => t.test === test)?.runs ?? estimateRate(0, a.counted);
    const tb = b.tests.find((t) => t.test === test)?.runs ?? estimateRate(0, b.counted);
    return compareRates('test', test, test, ta, tb, bName);
  });
  testRows.sort((x, y) => y.a.count + y.b.count - (x.a.count + x.b.count) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  rows.push(...testRows, ...signatureRows(a, b, bName));

  const differences = sweepDifferences(a.info, b.info);
  return {
    a: { name: a.info.name, dir: a.info.dir, counted: a.counted },
    b: { name: bName, dir: b.info.dir, counted: b.counted },
    alpha: ALPHA,
    rows: [rows[0]!, ...adjusted(rows.slice(1), bName)],
    differences,
    warnings: comparabilityWarnings(differences),
  };
}

/** Iterations failing each signed way (failures with a signature only: unsigned ones are the test rows). */
function signatureCounts(summary: SweepSummary): Map<string, { count: number; label: string }> {
  const counts = new Map<string, { count: number; label: string }>();
  for (const r of summary.results) {
    if (r.status !== 'failed') continue;
    const seen = new Set<string>();
    for (const f of r.failures) {
      if (f.signature === undefined || seen.has(f.signature)) continue;
      seen.add(f.signature);
      const entry = counts.get(failureKey(f)) ?? { count: 0, label: `${f.signature} ${f.test ?? 'run'}: ${f.message}` };
      entry.count += 1;
      counts.set(failureKey(f), entry);
    }
  }
  return counts;
}

function signatureRows(a: SweepSummary, b: SweepSummary, bName: string): ComparisonRow[] {
  const ca = signatureCounts(a);
  const cb = signatureCounts(b);
  return [...new Set([...ca.keys(), ...cb.keys()])].map((key) => {
    const label = (ca.get(key) ?? cb.get(key))!.label;
    return compareRates('signature', key, label, estimateRate(ca.get(key)?.count ?? 0, a.counted), estimateRate(cb.get(key)?.count ?? 0, b.counted), bName);
  }).sort((x, y) => y.a.count + y.b.count - (x.a.count + x.b.count) || (x.key < y.key ? -1 : 1));
}

/** `13/50 26.0%`. */
function cell(e: RateEstimate): string {
  return `${e.count}/${e.total} ${formatPercent(e.rate)}`;
}

/** The comparison as an aligned plain-text table, one row per compared rate, verdict last. */
export function renderComparisonText(c: Comparison): string {
  const header = ['', `a: ${c.a.name}`, `b: ${c.b.name}`, 'b − a', 'p', 'verdict'];
  const body = c.rows.map((r) => [
    r.kind === 'test' ? `test ${fitNodeId(r.label, 55)}` : truncate(r.kind === 'signature' ? `way ${r.label}` : r.label, 60),
    cell(r.a),
    cell(r.b),
    `${r.difference > 0 ? '+' : r.difference < 0 ? '−' : '±'}${(Math.abs(r.difference) * 100).toFixed(1)} pp`,
    (r.adjustedP ?? r.pValue) < 0.001 ? '<0.001' : (r.adjustedP ?? r.pValue).toFixed(3),
    r.verdict,
  ]);
  const rows = [header, ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const right = new Set([1, 2, 3, 4]);
  const lines = rows.map((row) =>
    row
      .map((text, i) => (i === row.length - 1 ? text : right.has(i) ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const notes: string[] = [];
  if (c.rows.length > 1) notes.push(`The first row is the test; the ${c.rows.length - 1} below it are Holm-adjusted for their number (p shown adjusted).`);
  const underTest = c.differences.filter((d) => d.kind === 'under-test').map((d) => `${d.what} ${d.a} → ${d.b}`);
  if (underTest.length > 0) notes.push(`Under test: ${underTest.join('; ')}.`);
  else if (c.warnings.length === 0) notes.push('Same image and settings: a difference is chance, or something outside the sweeps.');
  notes.push(...c.warnings.map((w) => `WARNING: ${w}`));
  return `Comparing ${c.b.name} (b) against ${c.a.name} (a); significant at p < ${c.alpha}\n${lines.join('\n')}\n${notes.join('\n')}\n`;
}
