import { type HuntVerdict, perturbationCaveat } from '../hunt-verdict.js';
import { formatInterval, formatPercent, formatRunList } from '../summary-text.js';
import { codeBlock, codeSpan } from './markdown-text.js';

/** The hunt's answer for a step summary: how often, under which conditions best, what to run next. */
export function renderHuntMarkdown(verdict: HuntVerdict, next: { replay: string | null; rerun: string | null }): string {
  const { reproductions, best } = verdict;
  const lines = [
    '#### Hunt',
    '',
    reproductions.length === 0
      ? `**Not reproduced** in ${verdict.iterations} iteration(s) (target: ${codeSpan(verdict.target)}).`
      : `**Reproduced ${reproductions.length} time(s)** in ${verdict.iterations} iteration(s) (target: ${codeSpan(verdict.target)}): ${formatRunList(reproductions, 8)}.`,
  ];
  if (best !== null) {
    lines.push('', `Best conditions: ${codeSpan(best.cell)}, ${best.rate.count}/${best.rate.total} (${formatPercent(best.rate.rate)}, 95% CI ${formatInterval(best.rate)}).`);
    const caveat = perturbationCaveat(verdict);
    if (caveat !== null) lines.push('', caveat);
  }
  if (next.replay !== null) lines.push('', 'Replay the last reproduction exactly:', '', ...codeBlock(next.replay));
  if (next.rerun !== null) lines.push('', 'Rerun under the best conditions:', '', ...codeBlock(next.rerun));
  return `${lines.join('\n')}\n`;
}
