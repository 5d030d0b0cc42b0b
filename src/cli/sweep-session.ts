import { loadTaxonomy } from '../classify/taxonomy-loader.js';
import type { Taxonomy } from '../classify/taxonomy-types.js';
import { SweepEvents } from '../core/events.js';
import type { Executor } from '../executors/executor.js';
import { summaryOf, summaryRenderer, sweepInfoOf } from '../report/sweep-summary.js';
import type { SweepSummary } from '../report/summary-types.js';
import type { SweepConfig } from '../sweep/sweep-config.js';
import { type SweepOutcome, SweepRunner } from '../sweep/sweep-runner.js';
import { ProgressReporter } from '../ui/progress-reporter.js';
import { makeChalk, outputOf } from '../ui/terminal.js';

export interface SessionResult {
  outcome: SweepOutcome;
  summary: SweepSummary;
  taxonomy: Taxonomy;
}

/**
 * Runs a sweep with the terminal attached: the progress reporter, and Ctrl-C handling (the first
 * signal stops the sweep cleanly, the second removes its containers now, the third exits). Shared
 * by `run`, `hunt` and `replay`.
 */
export async function runSweepSession(
  config: SweepConfig,
  executor: Executor,
  options: { noColor: boolean; progress: boolean; taxonomy?: Taxonomy },
): Promise<SessionResult> {
  const taxonomy = options.taxonomy ?? (await loadTaxonomy(config.output.taxonomyFile));
  const events = new SweepEvents();
  const stderr = outputOf(process.stderr);
  const chalk = makeChalk(process.stderr, options.noColor);
  const progress = new ProgressReporter(stderr, chalk, stderr.isTTY && options.progress);
  events.subscribe(progress.listener);
  const controller = new AbortController();
  const runner = new SweepRunner(config, {
    executor,
    taxonomy,
    events,
    signal: controller.signal,
    summaryRenderer: (dir, record) => summaryRenderer(sweepInfoOf(dir, record), taxonomy),
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      progress.line(chalk.yellow(`${signal}: stopping — running containers are being stopped and removed (send it again to force)`));
      controller.abort();
      return;
    }
    if (signals >= 3) process.exit(130);
    progress.line(chalk.red(`${signal} again: removing running containers now and exiting (again to exit at once)`));
    void runner.removeLiveNow().finally(() => {
      progress.stop();
      process.exit(130);
    });
  };
  const signalNames: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const name of signalNames) process.on(name, onSignal);
  try {
    const outcome = await runner.run();
    return { outcome, summary: summaryOf(outcome.results, sweepInfoOf(outcome.dir, outcome.record), taxonomy), taxonomy };
  } finally {
    progress.stop();
    for (const name of signalNames) process.off(name, onSignal);
  }
}
