import type { Comparison } from '../compare.js';
import type { SweepSummary } from '../summary-types.js';
import { comparisonSection } from './comparison.js';
import { sweepContext } from './context.js';
import { html } from './escape.js';
import { durationsSection, failingRunsSection, findingsSection, matrixSection, ratesSection, stripSection, sweepHeader } from './sections.js';
import { styleSheet } from './style.js';
import { sharedDefs } from './svg.js';

export interface HtmlReportInput {
  summaries: SweepSummary[];
  comparisons: Comparison[];
  /** When the report was made, shown as given (an ISO timestamp, say). */
  generatedAt: string;
  /** The folder the report will be written to: log links are relative to it. */
  reportDir: string;
}

/**
 * One self-contained HTML document (inline CSS and SVG, no scripts, nothing fetched) for one or more sweeps.
 * Sections carry `data-testid="<name>"` and `id="<name>-<sweep number>"`: sweep-header, outcome-strip,
 * rates, class-test-matrix, durations, failing-runs; with two or more sweeps, `id="comparison"` too.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { summaries, comparisons, generatedAt, reportDir } = input;
  const names = summaries.map((s) => s.info.name);
  const title = names.length > 0 ? `flakehunt — ${names.join(' vs ')}` : 'flakehunt report';
  const sweeps = summaries.map((summary, i) => {
    const ctx = sweepContext(summary, i + 1, reportDir);
    return html`<div class="sweep" id="sweep-${i + 1}" data-testid="sweep" data-sweep="${summary.info.name}">
${sweepHeader(ctx)}
${findingsSection(ctx)}
${stripSection(ctx)}
${ratesSection(ctx)}
${matrixSection(ctx)}
${durationsSection(ctx)}
${failingRunsSection(ctx)}
</div>`;
  });
  const nav = summaries.map((s, i) => html`<a href="#sweep-${i + 1}">${s.info.name}</a>`);
  const showComparison = summaries.length >= 2 && comparisons.length > 0;
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="flakehunt">
<title>${title}</title>
${styleSheet()}
</head>
<body>
${sharedDefs()}
<main>
<div class="page-head"><h1>flakehunt <span>report</span></h1><nav>${showComparison ? html`<a href="#comparison">comparison</a>` : ''}${nav}</nav></div>
${showComparison ? comparisonSection(comparisons) : ''}
${sweeps}
<footer>Generated ${generatedAt} by flakehunt · rates count passed and failed iterations; errors and interruptions are left out.</footer>
</main>
</body>
</html>
`;
  return doc.value;
}
