import { formatP, type Comparison, type ComparisonRow } from '../compare.js';
import type { RateEstimate } from '../summary-types.js';
import { formatInterval, formatPercent, truncate } from '../summary-text.js';
import { chip, testId } from './sections.js';
import { html, type SafeHtml } from './escape.js';
import { niceRate, pairWhiskers } from './svg.js';

/** `−26.0 pp`. */
function difference(d: number): string {
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${(Math.abs(d) * 100).toFixed(1)} pp`;
}

function rateCell(e: RateEstimate): SafeHtml {
  return html`<td class="num"><b>${formatPercent(e.rate)}</b> <span class="muted">(${e.count}/${e.total})</span><br><span class="muted">${formatInterval(e)}</span></td>`;
}

function label(r: ComparisonRow): SafeHtml {
  if (r.kind === 'test') return testId(r.label);
  if (r.kind === 'class') {
    const title = r.label.slice(r.key.length).trim();
    const infra = title.endsWith('[infra]');
    return html`${chip(r.key)} ${infra ? title.slice(0, -'[infra]'.length).trim() : title}${infra ? html` <span class="tag">infra</span>` : ''}`;
  }
  if (r.kind === 'signature') {
    // `3f2a9c01b7e4 test: message`: the id, then the way of failing in small print (the full text is in the sweep's findings).
    const rest = r.label.startsWith(r.key) ? r.label.slice(r.key.length).trim() : r.label;
    return html`<code>${r.key}</code> <span class="muted small" title="${rest}">${truncate(rest, 110)}</span>`;
  }
  return html`<b>${r.label}</b>`;
}

function comparisonTable(c: Comparison, i: number): SafeHtml {
  const scale = niceRate(Math.max(...c.rows.flatMap((r) => [r.a.upper, r.b.upper])));
  const rows = c.rows.map(
    (r) => html`<tr class="${r.significant ? 'sig' : ''}" data-testid="comparison-row" data-kind="${r.kind}" data-significant="${String(r.significant)}">
<td class="label">${label(r)}</td>${rateCell(r.a)}${rateCell(r.b)}<td class="plot">${pairWhiskers(r.a, r.b, scale)}</td>
<td class="num">${difference(r.difference)}</td><td class="num">${formatP(r.adjustedP ?? r.pValue)}${r.adjustedP === null ? '' : html`<br><span class="muted">Holm</span>`}</td>
<td class="verdict">${r.significant ? html`<span class="badge">significant</span> ` : ''}${r.verdict}</td></tr>`,
  );
  const warnings = c.warnings.map((w) => html`<p class="warning" data-testid="comparison-warning">⚠ ${w}</p>`);
  const underTest = c.differences.filter((d) => d.kind === 'under-test').map((d) => `${d.what} ${d.a} → ${d.b}`).join('; ');
  return html`<div class="comparison" data-testid="comparison-table" id="comparison-${i + 1}">${warnings}
<h4><span class="key a"></span>a: ${c.a.name} <span class="muted">(${c.a.counted} counted)</span> &nbsp; <span class="key b"></span>b: ${c.b.name} <span class="muted">(${c.b.counted} counted)</span></h4>
<div class="scroll"><table class="compare"><thead><tr><th>compared</th><th class="num">a</th><th class="num">b</th><th class="plot">95% CI, 0–${formatPercent(scale, 0)}</th><th class="num">b − a</th><th class="num">p</th><th>verdict</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<p class="hint foot">p: two-sided Fisher exact test; the first row is the test, the rows below it Holm-adjusted for their number; highlighted rows differ significantly (p &lt; ${c.alpha}). ${underTest !== '' ? `Under test: ${underTest}.` : c.warnings.length === 0 ? 'Same image and settings in both.' : ''}</p></div>`;
}

/** Every comparison, one table each; significant rows highlighted. */
export function comparisonSection(comparisons: Comparison[]): SafeHtml {
  return html`<section class="card" id="comparison" data-testid="comparison"><h3>Comparison</h3>${comparisons.map(comparisonTable)}</section>`;
}
