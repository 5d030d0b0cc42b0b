import type { Command } from 'commander';

import { loadTaxonomy } from '../../classify/taxonomy-loader.js';
import { loadConfigFile } from '../../config/config-file.js';
import { resolveRunConfig } from '../../config/resolve-run-config.js';
import { SweepEvents } from '../../core/events.js';
import { createExecutor } from '../../executors/registry.js';
import { summaryOf, summaryRenderer, sweepInfoOf } from '../../report/sweep-summary.js';
import { renderSummaryText } from '../../report/summary-text.js';
import { describeDryRun } from '../../sweep/dry-run.js';
import { SweepRunner } from '../../sweep/sweep-runner.js';
import { ProgressReporter } from '../../ui/progress-reporter.js';
import { makeChalk, outputOf } from '../../ui/terminal.js';
import { sweepExitCode } from '../exit-codes.js';
import { addRunOptions, givenRunFlags } from '../register-run-options.js';

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .summary('run a stress sweep: each iteration in a fresh container')
    .description('Run the tests many times, each iteration in a fresh container, and classify every failure.\nRe-running the same command resumes the sweep: finished iterations are skipped, unfinished ones re-run.');
  addRunOptions(run)
    .addHelpText('after', `
Examples:
  $ flakehunt run -i dynamo:latest-dev -p serial -s 1 -e 50 -t fix13 \\
      --pytest-nodeid 'tests/router/test_router_e2e_with_mockers.py::test_router_decisions[jetstream-tcp]'
  $ flakehunt run -i img --mount ./tests:/suite:ro --workdir /suite --pytest-nodeid tests -p 4 -j 2 --until-fail
  $ flakehunt run -i img --command "go test -run TestFlaky ./pkg/..." -e 200 --timeout 5m`)
    .action(async (_options: Record<string, unknown>, command: Command) => {
      command.setOptionValue('exitCode', await runCommand(command, program.opts().color === false));
    });
}

async function runCommand(command: Command, noColor: boolean): Promise<number> {
  const flags = givenRunFlags(command);
  const file = await loadConfigFile(flags.config as string | undefined);
  const config = resolveRunConfig(flags, file.values, file.dir);
  const executor = await createExecutor(config.executor);
  if (flags.dryRun === true) {
    process.stdout.write(await describeDryRun(config, executor));
    return 0;
  }
  const taxonomy = await loadTaxonomy(config.output.taxonomyFile);
  const events = new SweepEvents();
  const stderr = outputOf(process.stderr);
  const chalk = makeChalk(process.stderr, noColor);
  const progress = new ProgressReporter(stderr, chalk, stderr.isTTY && flags.progress !== false);
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
    const exitCode = sweepExitCode(outcome, config.schedule);
    const stopReason = outcome.stop?.reason ?? null;
    const summary = summaryOf(outcome.results, sweepInfoOf(outcome.dir, outcome.record), taxonomy);
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify({ dir: outcome.dir, exitCode, stopReason, ranHere: outcome.ranHere, summary: { ...summary, results: undefined } }, null, 2)}\n`);
    } else {
      process.stdout.write(`\n${renderSummaryText(summary)}\n`);
      process.stdout.write(`Files: ${outcome.dir}/summary.txt, results.txt, runNNN/run.log\n`);
      if (stopReason !== null) process.stdout.write(`Stopped early: ${stopReason}\n`);
    }
    return exitCode;
  } finally {
    progress.stop();
    for (const name of signalNames) process.off(name, onSignal);
  }
}
