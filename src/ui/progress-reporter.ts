import cliProgress from 'cli-progress';
import type { ChalkInstance } from 'chalk';

import type { SweepEvent } from '../core/events.js';
import { countByStatus, type IterationResult } from '../core/result.js';
import { runName } from '../store/layout.js';
import { formatDuration } from '../core/durations.js';
import { truncate } from '../report/summary-text.js';
import type { Output } from './terminal.js';

/** Counts of the results finished since `since` (this invocation's), by status and by class. */
function counts(results: IterationResult[], since: number): { passed: number; failed: number; errors: number; byClass: Map<string, number> } {
  const recent = results.filter((r) => Date.parse(r.finishedAt) >= since);
  const byClass = new Map<string, number>();
  for (const r of recent) for (const c of r.classes) byClass.set(c, (byClass.get(c) ?? 0) + 1);
  const byStatus = countByStatus(recent);
  return { passed: byStatus.passed, failed: byStatus.failed, errors: byStatus.error, byClass };
}

/**
 * Shows a sweep as it runs: a redrawn progress bar on a terminal; plain timestamped lines
 * elsewhere (CI, nohup, pipes), one per finished iteration.
 */
export class ProgressReporter {
  private bar: cliProgress.SingleBar | null = null;
  private total = 0;
  private done = 0;
  private readonly running = new Set<number>();
  private startedAt = Date.now();
  private durations: number[] = [];
  private jobs = 1;
  private lastResults: IterationResult[] = [];

  constructor(
    private readonly out: Output,
    private readonly chalk: ChalkInstance,
    private readonly useBar: boolean = out.isTTY,
  ) {}

  readonly listener = (event: SweepEvent): void => {
    switch (event.type) {
      case 'sweep-started':
        this.total = event.planned.length;
        this.jobs = event.jobs;
        this.startedAt = event.at;
        this.line(`sweep ${event.dir}: ${event.planned.length} iteration(s) to run, ${event.alreadyFinished} already finished, ${event.jobs} at a time`);
        if (this.useBar && this.total > 0) {
          this.bar = new cliProgress.SingleBar(
            { format: ' {bar} {value}/{total} | running {running} | {counts} | ETA {etaText}', hideCursor: true, clearOnComplete: true, stream: process.stderr, barsize: 24 },
            cliProgress.Presets.shades_classic,
          );
          this.bar.start(this.total, 0, this.payload());
        }
        break;
      case 'iteration-started':
        this.running.add(event.iteration);
        this.update();
        break;
      case 'iteration-finished': {
        this.running.delete(event.iteration);
        this.done += 1;
        this.durations.push(event.result.durationMs);
        this.lastResults = event.sweepResults;
        const r = event.result;
        const status = r.status === 'passed' ? this.chalk.green('PASSED') : r.status === 'failed' ? this.chalk.red('FAILED') : this.chalk.yellow(r.status.toUpperCase());
        const detail = r.failures.length > 0 ? ` ${r.classes.join(',')} — ${r.failures[0]!.test ?? 'run'}: ${truncate(r.failures[0]!.message, 100)}` : r.note ? ` — ${truncate(r.note, 120)}` : '';
        this.line(`${runName(r.iteration)} ${status}${detail} (${formatDuration(r.durationMs)}) [${this.done}/${this.total}, ${this.countsText()}, ETA ${this.eta()}]`);
        this.update();
        break;
      }
      case 'iteration-killed':
        this.line(this.chalk.yellow(`${runName(event.iteration)} ${event.reason === 'idle' ? 'HANG (no output)' : 'TIMEOUT'}: collecting forensics, then stopping it; last output: ${event.lastLine ?? '(none)'}`));
        break;
      case 'iteration-retry':
        this.line(this.chalk.yellow(`${runName(event.iteration)} infrastructure error: ${event.error}; retrying in ${formatDuration(event.delayMs)} (${event.attemptsLeft} left)`));
        break;
      case 'sweep-stopping':
        // An error that stops the sweep is printed once, by the command, when it has stopped.
        this.line(this.chalk.yellow(event.kind === 'failed' ? 'stopping after an error: the iterations under way are being stopped' : `stopping: ${event.reason}`));
        break;
      case 'warning':
        this.line(this.chalk.yellow(`warning: ${event.message}`));
        break;
      case 'sweep-finished':
        this.bar?.stop();
        this.bar = null;
        break;
      case 'iteration-skipped':
        if (event.reason === 'claimed-elsewhere') this.line(`${runName(event.iteration)} is being run by another process; will wait for it`);
        break;
    }
  };

  /** Takes the bar down (and shows the cursor again); safe to call more than once. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  /** A line above the bar (or a plain timestamped line without one). */
  line(text: string): void {
    const stamped = this.useBar ? text : `${new Date().toISOString().slice(0, 19).replace('T', ' ')} ${text}`;
    if (this.bar) {
      // cli-progress redraws on update; clear the bar's line first so the text is not overdrawn.
      process.stderr.write('\r\x1b[2K');
      this.out.write(`${stamped}\n`);
      this.bar.render();
    } else {
      this.out.write(`${stamped}\n`);
    }
  }

  private countsText(): string {
    const c = counts(this.lastResults, this.startedAt);
    const classes = [...c.byClass.entries()].sort().map(([k, v]) => `${k}:${v}`).join(' ');
    return `${c.passed} passed, ${c.failed} failed${c.errors > 0 ? `, ${c.errors} errors` : ''}${classes ? ` (${classes})` : ''}`;
  }

  private eta(): string {
    const left = this.total - this.done;
    if (left <= 0) return 'done';
    if (this.durations.length === 0) return '…';
    const mean = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    return formatDuration((mean * left) / Math.max(1, this.jobs));
  }

  private payload(): Record<string, string> {
    return { running: String(this.running.size), counts: this.countsText(), etaText: this.eta() };
  }

  private update(): void {
    this.bar?.update(this.done, this.payload());
  }
}
