import { runName } from '../store/layout.js';
import { formatDuration } from '../core/durations.js';
import { formatP } from './summary-text.js';
import type { SweepStatus } from './sweep-status.js';

/** `flakehunt status` as text: a screenful at most. */
export function renderStatusText(status: SweepStatus): string {
  const lines = [`Sweep ${status.dir}`];
  const classes = Object.entries(status.byClass).sort().map(([c, n]) => `${c} ${n}`).join(', ');
  const uncounted = [status.errors ? `${status.errors} error(s)` : '', status.interrupted ? `${status.interrupted} interrupted` : ''].filter((s) => s !== '');
  lines.push(`Finished ${status.finished}: ${status.passed} passed, ${status.failed} failed${uncounted.length > 0 ? `; not counted: ${uncounted.join(', ')}` : ''}${classes ? ` — ${classes}` : ''}`);
  if (status.shift !== null) {
    const { shift } = status;
    lines.push(`Failure rate changed at ${runName(shift.run)}: ${shift.before.count}/${shift.before.total} before, ${shift.after.count}/${shift.after.total} after (${formatP(shift.p)})`);
  }
  const live = status.running.filter((r) => !r.stale);
  lines.push(`Running ${live.length}${status.left === null ? '' : ` · left ${status.left}`}${status.etaMs === null ? '' : ` · ETA ${formatDuration(status.etaMs)}`}`);
  for (const r of status.running.slice(0, 12)) {
    lines.push(`  ${runName(r.iteration)}  ${r.host}:${r.pid}  ${r.runner ?? 'no start recorded'}  for ${formatDuration(r.sinceMs)}${r.stale ? '  (owner gone: will be taken over)' : ''}`);
  }
  if (status.running.length > 12) lines.push(`  … and ${status.running.length - 12} more`);
  if (status.upNext.length > 0) {
    lines.push(`Up next ${status.upNext.length} (claimed; the container is set up while the one before runs): ${status.upNext.slice(0, 12).map((r) => runName(r.iteration)).join(', ')}${status.upNext.length > 12 ? ', …' : ''}`);
  }
  if (status.processes.length > 0) {
    lines.push('Processes:');
    for (const p of status.processes) {
      const state = p.alive === true ? 'running' : p.alive === false ? 'gone (killed?)' : 'on another host';
      lines.push(`  ${p.owner.host}:${p.owner.pid}  iterations ${p.start}–${p.end}, ${p.jobs} at a time, since ${p.startedAt.slice(0, 19).replace('T', ' ')}  ${state}`);
    }
  } else {
    lines.push('No flakehunt process is working on it.');
  }
  return `${lines.join('\n')}\n`;
}
