import type { RateEstimate } from '../summary-types.js';
import { formatPercent, formatRate } from '../summary-text.js';
import { html, type SafeHtml } from './escape.js';

/** Coordinates rounded to one decimal, to keep the markup small. */
export const r1 = (x: number): number => Math.round(x * 10) / 10;

/** The smallest round rate at or above `value`: the right end of a rate axis. */
export function niceRate(value: number): number {
  return [0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1].find((step) => value <= step) ?? 1;
}

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) at or above `value`. */
export function niceCeil(value: number, steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return (steps.find((m) => m * magnitude >= value * (1 - 1e-9)) ?? 10) * magnitude;
}

/** Fills referenced by every chart: the hatch of interrupted iterations. Put once per document. */
export function sharedDefs(): SafeHtml {
  return html`<svg width="0" height="0" aria-hidden="true" focusable="false" style="position:absolute"><defs>
<pattern id="fh-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/><line x1="1" y1="0" x2="1" y2="4" stroke="#7b8794" stroke-width="1.4"/></pattern>
</defs></svg>`;
}

const BAR_W = 280;
const BAR_H = 18;
const PAD = 6;

function scaleX(value: number, scale: number, width: number): number {
  return r1(PAD + (Math.min(value, scale) / scale) * (width - 2 * PAD));
}

/** A horizontal whisker for an interval, with caps, centred on `y`. */
function whisker(e: RateEstimate, scale: number, width: number, y: number, stroke: string): SafeHtml {
  const [lo, hi] = [scaleX(e.lower, scale, width), scaleX(e.upper, scale, width)];
  return html`<path d="M${lo} ${y}H${hi}M${lo} ${y - 4}V${y + 4}M${hi} ${y - 4}V${y + 4}" stroke="${stroke}" stroke-width="1.5" fill="none"/>`;
}

/** A rate as a bar on a 0…scale track, with its 95% interval as a whisker. */
export function rateBar(e: RateEstimate, scale: number, colour: string): SafeHtml {
  const end = scaleX(e.rate, scale, BAR_W);
  return html`<svg class="bar" width="${BAR_W}" height="${BAR_H}" viewBox="0 0 ${BAR_W} ${BAR_H}" role="img" aria-label="${formatRate(e)}">
<rect x="${PAD}" y="4" width="${BAR_W - 2 * PAD}" height="10" rx="2" fill="#eef1f5"/>
<rect x="${PAD}" y="4" width="${r1(end - PAD)}" height="10" rx="2" fill="${colour}"/>
${whisker(e, scale, BAR_W, 9, '#1f2933')}</svg>`;
}

/** Tick labels for the rate bars' column header: 0, half, full scale. */
export function rateAxis(scale: number, width = BAR_W): SafeHtml {
  const ticks = [0, scale / 2, scale].map((v, i) => {
    const x = scaleX(v, scale, width);
    return html`<line x1="${x}" y1="12" x2="${x}" y2="16" stroke="#9aa5b1"/><text x="${x}" y="10" text-anchor="${['start', 'middle', 'end'][i] ?? 'middle'}">${formatPercent(v, 0)}</text>`;
  });
  return html`<svg class="axis" width="${width}" height="16" viewBox="0 0 ${width} 16" aria-hidden="true">${ticks}</svg>`;
}

/** Two intervals on one track, a above b, each with a dot at its rate (the comparison table). */
export function pairWhiskers(a: RateEstimate, b: RateEstimate, scale: number): SafeHtml {
  const w = 160;
  const dots = ([[a, 8, '#52606d'], [b, 20, '#2563eb']] as const).map(
    ([e, y, c]) => html`${whisker(e, scale, w, y, c)}<circle cx="${scaleX(e.rate, scale, w)}" cy="${y}" r="3.2" fill="${c}"/>`,
  );
  return html`<svg class="pair" width="${w}" height="28" viewBox="0 0 ${w} 28" role="img" aria-label="a ${formatRate(a)}; b ${formatRate(b)}">
<line x1="${PAD}" y1="14" x2="${w - PAD}" y2="14" stroke="#eef1f5" stroke-width="8"/>${dots}</svg>`;
}
