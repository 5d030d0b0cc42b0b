import { UNCLASSIFIED, type IterationResult } from '../../core/result.js';
import { runName } from '../../store/layout.js';
import type { SweepContext } from './context.js';
import { html, type SafeHtml } from './escape.js';
import { PASSED_BAR, STATUS_COLOURS, classColour } from './palette.js';
import { niceCeil, r1 } from './svg.js';

const PER_ROW = 50;
const CELL = 16;
const GAP = 3;
/** Extra space after every ten cells, so run numbers can be read off the strip. */
const GROUP_GAP = 6;
const LEFT = 34;
const TOP = 16;

/** `301.2s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The tooltip of an iteration: `run029 FAILED A1 301.2s`, plus the note of an error. */
export function iterationTitle(r: IterationResult, classes: string[]): string {
  const parts = [runName(r.iteration), r.status.toUpperCase(), ...(classes.length > 0 ? [classes.join(', ')] : []), seconds(r.durationMs)];
  return parts.join(' ') + (r.note ? ` — ${r.note}` : '');
}

function cellShapes(r: IterationResult, classes: string[], x: number, y: number): SafeHtml {
  if (r.status === 'interrupted') {
    return html`<rect x="${x + 0.5}" y="${y + 0.5}" width="${CELL - 1}" height="${CELL - 1}" rx="2" fill="url(#fh-hatch)" stroke="#7b8794"/>`;
  }
  if (r.status !== 'failed') return html`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" rx="2" fill="${STATUS_COLOURS[r.status]}"/>`;
  const ids = classes.length > 0 ? classes : [UNCLASSIFIED];
  const h = CELL / ids.length;
  // One horizontal band per class, so an iteration failing with two classes shows both.
  return html`${ids.map((id, i) => html`<rect x="${x}" y="${r1(y + i * h)}" width="${CELL}" height="${r1(h)}" fill="${classColour(id)}"/>`)}`;
}

/** One square per iteration in rows of 50, coloured by class; each links to the iteration's log. */
export function outcomeStrip(ctx: SweepContext): SafeHtml {
  const { results } = ctx.summary;
  const last = results.reduce((m, r) => Math.max(m, r.iteration), 0);
  const rows = Math.max(1, Math.ceil(last / PER_ROW));
  const colX = (col: number): number => LEFT + col * (CELL + GAP) + Math.floor(col / 10) * GROUP_GAP;
  const width = colX(PER_ROW - 1) + CELL + 2;
  const height = TOP + rows * (CELL + GAP);
  const ticks = [1, 10, 20, 30, 40, 50].map((n) => html`<text x="${colX(n - 1) + CELL / 2}" y="10" text-anchor="middle">${n}</text>`);
  const labels = Array.from({ length: rows }, (_, row) =>
    html`<text x="${LEFT - 6}" y="${TOP + row * (CELL + GAP) + CELL - 3}" text-anchor="end">${row * PER_ROW + 1}</text>`,
  );
  const cells = results.map((r) => {
    const classes = r.status === 'failed' ? ctx.classesOf(r) : [];
    const col = (r.iteration - 1) % PER_ROW;
    const row = Math.floor((r.iteration - 1) / PER_ROW);
    return html`<a href="${ctx.logHref(r.iteration)}"><g data-testid="iteration-cell" data-iteration="${r.iteration}" data-status="${r.status}" data-classes="${classes.join(' ')}"><title>${iterationTitle(r, classes)}</title>${cellShapes(r, classes, colX(col), TOP + row * (CELL + GAP))}</g></a>`;
  });
  const shift = ctx.summary.shift;
  const marker = shift === null ? '' : (() => {
    const col = (shift.run - 1) % PER_ROW;
    const row = Math.floor((shift.run - 1) / PER_ROW);
    const x = colX(col) - 2;
    const y = TOP + row * (CELL + GAP) - 2;
    return html`<g data-testid="change-point" data-iteration="${shift.run}"><title>failure rate changed here: ${shift.before.count}/${shift.before.total} before, ${shift.after.count}/${shift.after.total} after</title><line x1="${x}" y1="${y}" x2="${x}" y2="${y + CELL + 4}" stroke="#d00" stroke-width="2.5"/></g>`;
  })();
  return html`<svg class="strip" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Outcome of each iteration">${ticks}${labels}${cells}${marker}</svg>`;
}

/** The top of the duration axis: round seconds below two minutes, round minutes above. */
function durationCeil(sec: number): number {
  return sec <= 120 ? niceCeil(sec) : niceCeil(sec / 60) * 60;
}

/** `90s`, `5min`, `7.5min`. */
function durationLabel(sec: number): string {
  return sec < 120 ? `${Number(sec.toFixed(1))}s` : `${Number((sec / 60).toFixed(1))}min`;
}

/** Iteration numbers to label on the x axis: 1, then round steps (10, 20, … for 50). */
function xTicks(last: number): number[] {
  const step = Math.max(1, niceCeil(last / 5, [1, 2, 5, 10]));
  const ticks = [1];
  for (let n = step; n <= last; n += step) if (n > 1) ticks.push(n);
  return ticks;
}

/** One bar per iteration, height the duration, coloured by status; dashed line at the mean of counted iterations. */
export function durationChart(ctx: SweepContext): SafeHtml {
  const { results, meanDurationMs } = ctx.summary;
  const [W, H, left, right, top, bottom] = [1020, 140, 48, 84, 8, 20];
  const last = results.reduce((m, r) => Math.max(m, r.iteration), 1);
  const maxSec = durationCeil(results.reduce((m, r) => Math.max(m, r.durationMs), 0) / 1000);
  const [plotW, plotH, plotEnd] = [W - left - right, H - top - bottom, W - right];
  const step = plotW / last;
  const y = (ms: number): number => r1(top + plotH - (Math.min(ms / 1000, maxSec) / maxSec) * plotH);
  const grid = [0, 0.5, 1].map((f) => {
    const gy = r1(top + plotH - f * plotH);
    return html`<line x1="${left}" y1="${gy}" x2="${plotEnd}" y2="${gy}" stroke="#e4e7eb"/><text x="${left - 6}" y="${gy + 4}" text-anchor="end">${durationLabel(f * maxSec)}</text>`;
  });
  const bars = results.map((r) => {
    const fill = r.status === 'passed' ? PASSED_BAR : r.status === 'interrupted' ? 'url(#fh-hatch)' : STATUS_COLOURS[r.status];
    const barTop = y(r.durationMs);
    const outline = r.status === 'interrupted' ? html` stroke="#7b8794" stroke-width="0.6"` : '';
    return html`<rect x="${r1(left + (r.iteration - 1) * step + step * 0.125)}" y="${barTop}" width="${r1(Math.max(0.6, step * 0.75))}" height="${r1(top + plotH - barTop)}" fill="${fill}"${outline}><title>${iterationTitle(r, ctx.classesOf(r))}</title></rect>`;
  });
  const xLabels = xTicks(last).map((n) => html`<text x="${r1(left + (n - 0.5) * step)}" y="${H - 5}" text-anchor="middle">${n}</text>`);
  const meanY = meanDurationMs === null ? 0 : y(meanDurationMs);
  const mean =
    meanDurationMs === null
      ? ''
      : html`<line x1="${left}" y1="${meanY}" x2="${plotEnd + 4}" y2="${meanY}" stroke="#1f2933" stroke-dasharray="4 3"/><text class="mean" x="${plotEnd + 8}" y="${meanY + 4}">mean ${seconds(meanDurationMs)}</text>`;
  return html`<svg class="durations" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Duration of each iteration">${grid}${bars}${mean}${xLabels}</svg>`;
}
