import { UNCLASSIFIED, type IterationStatus } from '../../core/result.js';

/** Fixed colours for the known class ids, so the same class looks the same in every report. */
const CLASS_COLOURS: Record<string, string> = {
  A1: '#e4572e',
  A2: '#3b6fd8',
  A3: '#f0a202',
  A4: '#e76fae',
  A4_crash: '#6a3d9a',
  A5: '#4cc9f0',
  B1: '#2a9d8f',
  [UNCLASSIFIED]: '#8d6e63',
};
/** For ids the palette does not know: picked by a stable hash of the id. */
const EXTRA_COLOURS = ['#6a4c93', '#1b998b', '#c05299', '#5c7aea', '#b8860b', '#2f4858'];

export const STATUS_COLOURS: Record<IterationStatus, string> = {
  passed: '#d7dde5',
  failed: '#d64545',
  error: '#26303b',
  interrupted: '#ffffff',
};
/** Passed bars in the duration chart: darker than the strip's grey so they read against white. */
export const PASSED_BAR = '#a6b1bf';

export function classColour(id: string): string {
  const fixed = CLASS_COLOURS[id];
  if (fixed) return fixed;
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return EXTRA_COLOURS[hash % EXTRA_COLOURS.length] ?? '#6a4c93';
}

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour with an alpha, for tinted backgrounds. */
export function tint(hex: string, alpha: number): string {
  return `rgba(${rgb(hex).join(', ')}, ${alpha.toFixed(2)})`;
}

/** Black or white text, whichever reads better on the colour. */
export function textOn(hex: string): string {
  const [r, g, b] = rgb(hex);
  return 0.299 * r + 0.587 * g + 0.114 * b > 160 ? '#111827' : '#ffffff';
}
