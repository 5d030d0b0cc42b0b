import { UNCLASSIFIED } from '../../core/result.js';
import { zeroFailureUpperBound } from '../../stats/wilson.js';
import type { RateEstimate, SweepSummary } from '../summary-types.js';
import { runName } from '../../store/layout.js';
import { DEPENDENCE, describeConditions, formatInterval, formatP, formatPercent, formatRate, formatRunList, signatureTag, truncate } from '../summary-text.js';
import { huntNextOf, perturbationCaveat } from '../hunt-verdict.js';
import { durationChart, outcomeStrip, seconds } from './charts.js';
import type { SweepContext } from './context.js';
import { html, type HtmlValue, type SafeHtml } from './escape.js';
import { PASSED_BAR, STATUS_COLOURS, classColour, textOn, tint } from './palette.js';
import { niceRate, rateAxis, rateBar } from './svg.js';

/** A card with a stable id (`<name>-<sweep index>`) and `data-testid="<name>"`. */
function section(ctx: SweepContext, name: string, title: string, body: HtmlValue): SafeHtml {
  return html`<section class="card" id="${name}-${ctx.index}" data-testid="${name}"><h3>${title}</h3>${body}</section>`;
}

/** A coloured pill with a class id; the title says what the class is. */
export function chip(id: string, title = ''): SafeHtml {
  const bg = classColour(id);
  return html`<span class="chip" style="background:${bg};color:${textOn(bg)}" title="${title}">${id}</span>`;
}

/** A test node id in monospace, breakable after `/`, `::` and `[` rather than anywhere. */
export function testId(test: string): SafeHtml {
  return html`<code class="test">${test.split(/(?<=\/|::|\[)/).map((part, i) => (i === 0 ? part : html`<wbr>${part}`))}</code>`;
}

/** The failure rate in words, as summary.txt words it. */
export function failureSentence(s: SweepSummary): string {
  if (s.counted === 0) return 'No passed or failed iterations yet: no failure rate to report.';
  if (s.failure.count === 0) {
    return `0/${s.counted} failed: the true failure rate is below ${formatPercent(zeroFailureUpperBound(s.counted))} with 95% confidence`;
  }
  return `Failure rate: ${formatRate(s.failure)}`;
}

export function sweepHeader(ctx: SweepContext): SafeHtml {
  const s = ctx.summary;
  const tiles: Array<[string, number, string]> = [
    ['finished', s.finished, ''],
    ['passed', s.passed, 'passed'],
    ['failed', s.failed, s.failed > 0 ? 'failed' : ''],
    ['errors', s.errors, s.errors > 0 ? 'error' : ''],
    ['interrupted', s.interrupted, ''],
  ];
  const notes = [
    s.counted > 0 && s.testBugFailure.count !== s.failure.count
      ? `Test-bug failures only (infrastructure-only failures left out): ${formatRate(s.testBugFailure)}`
      : null,
    (s.excludedRuns ?? []).length > 0 ? `Not counted, failed only with infrastructure classes: ${formatRunList(s.excludedRuns ?? [], 8)}` : null,
    s.meanDurationMs !== null ? `Mean duration ${seconds(s.meanDurationMs)} per counted iteration (${s.counted} counted)` : null,
  ].filter((n): n is string => n !== null);
  return html`<header class="card sweep-header${s.failure.count > 0 ? ' has-failures' : ''}" id="sweep-header-${ctx.index}" data-testid="sweep-header">
<div class="title-row"><h2>${s.info.name}</h2><span class="meta">image <code>${s.info.image ?? '(unknown)'}</code> · ${describeConditions(s.info)}${s.info.tag ? html` · tag <b>${s.info.tag}</b>` : ''}</span></div>
<p class="headline" data-testid="failure-rate">${failureSentence(s)}</p>
<div class="tiles">${tiles.map(([label, n, cls]) => html`<div class="tile ${cls}" data-testid="count-${label}"><b>${n}</b><span>${label}</span></div>`)}</div>
${notes.map((n) => html`<p class="note">${n}</p>`)}</header>`;
}

function swatch(fill: string, label: HtmlValue, extraClass = ''): SafeHtml {
  return html`<span class="item"><span class="swatch ${extraClass}" style="background:${fill}"></span>${label}</span>`;
}

export function stripSection(ctx: SweepContext): SafeHtml {
  const legend = html`<div class="legend">${swatch(STATUS_COLOURS.passed, 'passed')}${ctx.summary.classes.map((c) =>
    swatch(classColour(c.id), html`<b>${c.id}</b> ${c.title}${c.kind === 'infrastructure' ? ' (infrastructure)' : ''}`),
  )}${swatch(STATUS_COLOURS.error, 'error')}${swatch('transparent', 'interrupted', 'hatch')}</div>`;
  const hint = 'One square per iteration, in rows of 50; hover for details, click for the log.';
  return section(ctx, 'outcome-strip', 'Outcome of every iteration', html`<p class="hint">${hint}</p><div class="scroll">${outcomeStrip(ctx)}</div>${legend}`);
}

export function matrixSection(ctx: SweepContext): SafeHtml {
  const s = ctx.summary;
  const counted = new Set(s.failedRuns);
  const counts = new Map<string, Map<string, Set<number>>>();
  for (const r of s.results) {
    if (!counted.has(r.iteration)) continue;
    for (const f of r.failures) {
      const row = counts.get(f.test ?? '') ?? new Map<string, Set<number>>();
      counts.set(f.test ?? '', row.set(f.class, (row.get(f.class) ?? new Set()).add(r.iteration)));
    }
  }
  if (counts.size === 0) return section(ctx, 'class-test-matrix', 'Failing tests × classes', html`<p class="empty">No failing tests.</p>`);
  const classIds = s.classes.map((c) => c.id).filter((id) => [...counts.values()].some((row) => row.has(id)));
  const tests = [...s.tests.map((t) => t.test).filter((t) => counts.has(t)), ...(counts.has('') ? [''] : [])];
  const max = Math.max(...[...counts.values()].flatMap((row) => [...row.values()].map((runs) => runs.size)));
  const body = tests.map((test) => {
    const row = counts.get(test);
    const cells = classIds.map((id) => {
      const n = row?.get(id)?.size ?? 0;
      return n === 0 ? html`<td class="num zero">·</td>` : html`<td class="num" style="background:${tint(classColour(id), 0.15 + (0.5 * n) / max)}">${n}</td>`;
    });
    return html`<tr><th scope="row" class="test">${test === '' ? html`<i>(the run as a whole)</i>` : testId(test)}</th>${cells}</tr>`;
  });
  const head = classIds.map((id) => html`<th class="num">${chip(id, s.classes.find((c) => c.id === id)?.title ?? '')}</th>`);
  return section(ctx, 'class-test-matrix', 'Failing tests × classes (iterations)', html`<div class="scroll"><table class="matrix"><thead><tr><th>test</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`);
}

interface RateRow {
  label: SafeHtml;
  estimate: RateEstimate;
  colour: string;
}

export function ratesSection(ctx: SweepContext): SafeHtml {
  const s = ctx.summary;
  const rows: RateRow[] = [{ label: html`<b>all failures</b>`, estimate: s.failure, colour: STATUS_COLOURS.failed }];
  if (s.testBugFailure.count !== s.failure.count) rows.push({ label: html`<b>test-bug failures</b>`, estimate: s.testBugFailure, colour: '#b83232' });
  for (const c of s.classes) {
    rows.push({ label: html`${chip(c.id)} ${c.title}${c.kind === 'infrastructure' ? html` <span class="tag">infra</span>` : ''}`, estimate: c.runs, colour: classColour(c.id) });
  }
  for (const t of s.tests) rows.push({ label: testId(t.test), estimate: t.runs, colour: classColour(t.classes[0] ?? UNCLASSIFIED) });
  const scale = niceRate(Math.max(...rows.map((r) => r.estimate.upper)));
  const body = rows.map(
    (r) => html`<tr><td class="label">${r.label}</td><td class="plot">${rateBar(r.estimate, scale, r.colour)}</td><td class="num text">${formatRate(r.estimate)}</td></tr>`,
  );
  const hint = `Share of the ${s.counted} counted iterations; whiskers are 95% Wilson intervals.`;
  return section(ctx, 'rates', 'Failure rates', html`<p class="hint">${hint}</p><div class="scroll"><table class="rates"><thead><tr><th>rate of</th><th class="plot">${rateAxis(scale)}</th><th class="num">rate (count), 95% CI</th></tr></thead><tbody>${body}</tbody></table></div>`);
}

export function durationsSection(ctx: SweepContext): SafeHtml {
  const legend = html`<div class="legend">${swatch(PASSED_BAR, 'passed')}${swatch(STATUS_COLOURS.failed, 'failed')}${swatch(STATUS_COLOURS.error, 'error')}${swatch('transparent', 'interrupted', 'hatch')}</div>`;
  return section(ctx, 'durations', 'Duration per iteration', html`<div class="scroll">${durationChart(ctx)}</div>${legend}`);
}

export function failingRunsSection(ctx: SweepContext): SafeHtml {
  const runs = ctx.summary.results.filter((r) => r.status !== 'passed');
  if (runs.length === 0) return section(ctx, 'failing-runs', 'Failing runs', html`<p class="empty">Every iteration passed.</p>`);
  const titles = new Map(ctx.summary.classes.map((c) => [c.id, c.title]));
  const body = runs.map((r) => {
    const first = r.failures[0];
    const message = first?.message ?? r.note ?? '';
    const log = ctx.logHref(r.iteration);
    return html`<tr data-testid="failing-run" data-iteration="${r.iteration}"><td class="run"><code>${runName(r.iteration)}</code></td>
<td><span class="status ${r.status}">${r.status}</span></td><td>${ctx.classesOf(r).map((id) => chip(id, titles.get(id) ?? ''))}</td>
<td class="msg">${first?.test ? html`${testId(first.test)}<br>` : ''}<span title="${message}">${truncate(message, 220)}</span></td>
<td class="num">${seconds(r.durationMs)}</td><td><a class="log" href="${log}">run.log</a></td></tr>`;
  });
  return section(ctx, 'failing-runs', `Failing runs (${runs.length})`, html`<div class="scroll"><table class="runs"><thead><tr><th>run</th><th>status</th><th>classes</th><th>first failure</th><th class="num">duration</th><th>log</th></tr></thead><tbody>${body}</tbody></table></div>`);
}

/** What the sweep found beyond its rates: the decision, a change of regime, a broken host, quiet ways of failing. */
export function findingsSection(ctx: SweepContext): SafeHtml | '' {
  const s = ctx.summary;
  const items: SafeHtml[] = [];
  if (s.decision !== null) {
    const d = s.decision;
    items.push(html`<li data-testid="finding-decision"><b>Decision:</b> ${d.answer === null ? `not yet, after ${d.iterations} iteration(s) in order` : `${d.answer}, after ${d.iterations} iteration(s) (${d.failures} failed)`}${d.fixedPlanIterations === null ? '' : ` — a fixed plan needs ${d.fixedPlanIterations}`}</li>`);
  }
  if (s.hunt !== null) {
    const h = s.hunt;
    const found = h.reproductions.length === 0 ? `not reproduced in ${h.iterations} iteration(s)` : `reproduced ${h.reproductions.length} time(s) in ${h.iterations} iteration(s): ${formatRunList(h.reproductions, 8)}`;
    const best = h.best === null ? '' : html`; best conditions <code>${h.best.cell}</code>, ${h.best.rate.count}/${h.best.rate.total} (${formatPercent(h.best.rate.rate)}, 95% CI ${formatInterval(h.best.rate)})`;
    const caveat = perturbationCaveat(h);
    const replay = huntNextOf(s).replay;
    items.push(html`<li data-testid="finding-hunt"><b>Hunt for ${h.target}:</b> ${found}${best}.${caveat === null ? '' : html` <span class="warning">${caveat}</span>`}${replay === null ? '' : html` Replay the last reproduction: <code>${replay}</code>`}</li>`);
  }
  if (s.shift !== null) {
    items.push(html`<li data-testid="finding-shift"><b>Failure rate changed at ${runName(s.shift.run)}:</b> ${s.shift.before.count}/${s.shift.before.total} (${formatPercent(s.shift.before.rate)}) before, ${s.shift.after.count}/${s.shift.after.total} (${formatPercent(s.shift.after.rate)}) after (${formatP(s.shift.p)}); marked on the strip.</li>`);
  }
  for (const h of s.hosts?.filter((x) => x.flagged) ?? []) {
    items.push(html`<li class="warning" data-testid="finding-host">Host <b>${h.host}</b> fails far more often than the others: ${h.rate.count}/${h.rate.total} (${formatPercent(h.rate.rate)}) against ${formatPercent(h.othersRate)} — a broken machine is not a flaky test.</li>`);
  }
  for (const q of s.quiet.slice(0, 3)) {
    items.push(html`<li data-testid="finding-quiet">Not seen since ${runName(q.lastSeen)} (${q.cleanSince} clean): ${q.example.test ?? 'the run'} ${q.example.class}${signatureTag(q.example)} — gone with probability ${formatPercent(q.probabilityGone)}.</li>`);
  }
  const cells = s.cells === null ? '' : html`<table class="compare" data-testid="cells"><thead><tr><th>cell</th><th class="num">failed</th><th class="num">rate, 95% CI</th><th>first failure</th><th>against ${s.cells.reference}</th></tr></thead><tbody>${s.cells.cells.map((c) => html`<tr><td class="label"><code>${c.cell}</code></td><td class="num">${c.failure.count}/${c.failure.total}</td><td class="num">${formatPercent(c.failure.rate)}<br><span class="muted">${formatInterval(c.failure)}</span></td><td>${c.firstFailure === null ? '–' : runName(c.firstFailure.run)}</td><td>${c.vsReference === null ? 'reference' : `${c.vsReference.direction}, ${formatP(c.vsReference.pValue)}`}</td></tr>`)}</tbody></table>`;
  const ways = s.ways.some((w) => w.signature !== null) ? html`<table class="compare" data-testid="ways"><thead><tr><th>way of failing</th><th>tests</th><th class="num">iterations, 95% CI</th><th>example</th></tr></thead><tbody>${s.ways.slice(0, 15).map((w) => html`<tr><td><code>${w.signature ?? w.classes.join(',')}</code> ${w.classes.map((c) => chip(c))}</td><td>${w.tests.slice(0, 3).map((t) => testId(t))}</td><td class="num">${w.runs.count} (${formatPercent(w.runs.rate)})<br><span class="muted">${formatInterval(w.runs)}</span></td><td>${truncate(w.example, 140)}</td></tr>`)}</tbody></table>` : '';
  const dependence = s.cells === null || s.cells.dependence.length === 0 ? '' : html`<h4>What each way of failing depends on</h4><ul class="findings" data-testid="dependence">${s.cells.dependence.map((d) => html`<li><code>${d.example.test ?? 'run'}</code> ${chip(d.example.class)}${d.example.signature === undefined ? '' : html` <code>${d.example.signature}</code>`}: ${DEPENDENCE[d.dependsOn]}${d.onlyUnderPerturbation ? '; never seen unperturbed: maybe caused by the perturbation, not reproduced' : ''} ${d.detail === '' ? '' : html`<span class="muted">(${d.detail})</span>`}</li>`)}</ul>`;
  if (items.length === 0 && cells === '' && ways === '') return '';
  return section(ctx, 'findings', 'Findings', html`${items.length > 0 ? html`<ul class="findings">${items}</ul>` : ''}${cells}${dependence}${ways}`);
}
