import { formatInterval, formatPercent, formatRunList, truncate } from './summary-text.js';
import { type HuntVerdict, perturbationCaveat } from './hunt-verdict.js';

/** The hunt's answer as text: how often, under which conditions best, and what to run next. */
export function renderHuntText(verdict: HuntVerdict, next: { replay: string | null; rerun: string | null }): string {
  const lines: string[] = [];
  const { reproductions } = verdict;
  if (reproductions.length === 0) {
    lines.push(`Hunt for ${verdict.target}: not reproduced in ${verdict.iterations} iteration(s).`);
  } else {
    lines.push(`Hunt for ${verdict.target}: reproduced ${reproductions.length} time(s) in ${verdict.iterations} iteration(s): ${formatRunList(reproductions, 8)}.`);
  }
  lines.push('Conditions, best first (target shown / iterations, 95% CI):');
  for (const c of verdict.cells) {
    const rate = c.rate.total === 0 ? 'not tried' : `${c.rate.count}/${c.rate.total} ${formatPercent(c.rate.rate)}, ${formatInterval(c.rate)}`;
    lines.push(`  ${truncate(c.cell, 50).padEnd(50)}  ${rate}`);
  }
  if (verdict.best !== null) {
    const b = verdict.best;
    lines.push(`Best: ${b.cell} — ${b.rate.count}/${b.rate.total} (${formatPercent(b.rate.rate)}, 95% CI ${formatInterval(b.rate)}).`);
    const caveat = perturbationCaveat(verdict);
    if (caveat !== null) lines.push(caveat);
  }
  if (next.replay !== null) lines.push(`Replay the last reproduction exactly: ${next.replay}`);
  if (next.rerun !== null) lines.push(`Rerun under the best conditions: ${next.rerun}`);
  return `${lines.join('\n')}\n`;
}
