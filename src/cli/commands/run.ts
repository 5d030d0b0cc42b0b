import type { Command } from 'commander';

import { loadTaxonomy } from '../../classify/taxonomy-loader.js';
import { loadConfigFile } from '../../config/config-file.js';
import { resolveRunConfig } from '../../config/resolve-run-config.js';
import { createExecutor } from '../../executors/registry.js';
import { renderSummaryText } from '../../report/summary-text.js';
import { describeDryRun } from '../../sweep/dry-run.js';
import { executorOptionsOf } from '../../sweep/sweep-config.js';
import { baselineWarnings } from '../baseline-warnings.js';
import { sweepExitCode } from '../exit-codes.js';
import { publishResults } from '../publish-results.js';
import { addRunOptions, givenRunFlags } from '../register-run-options.js';
import { runSweepSession } from '../sweep-session.js';
import { warnOnStderr } from '../warn-on-stderr.js';

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .summary('run a stress sweep: each iteration in a fresh container')
    .description('Run the tests many times, each iteration in a fresh container, and classify every failure. Re-running the same command resumes the sweep: finished iterations are skipped, unfinished ones re-run.');
  addRunOptions(run)
    .addHelpText('after', `
Examples:
  $ flakehunt run -i dynamo:latest-dev -p serial -s 1 -e 50 -t fix13 \\
      --pytest-nodeid 'tests/router/test_router_e2e_with_mockers.py::test_router_decisions[jetstream-tcp]'
  $ flakehunt run -i img --mount ./tests:/suite:ro --workdir /suite --pytest-nodeid tests -p 4 -j 2 --until-fail
  $ flakehunt run -i img --pytest-nodeid tests --perturb cpu:0.2-0.5+shuffle -e 50 -t starved
  $ flakehunt run -i img --pytest-nodeid tests --matrix parallelism=serial,4 --matrix noise=none,stall:100ms -e 80
  $ flakehunt run -i img --command "go test -run TestFlaky ./pkg/..." -e 200 --timeout 5m`)
    .action(async (_options: Record<string, unknown>, command: Command) => {
      command.setOptionValue('exitCode', await runCommand(command, program.opts().color === false));
    });
}

async function runCommand(command: Command, noColor: boolean): Promise<number> {
  const flags = givenRunFlags(command);
  const file = await loadConfigFile(flags.config as string | undefined);
  const config = resolveRunConfig(flags, file.values, file.dir);
  const executor = await createExecutor(config.executor, executorOptionsOf(config));
  if (flags.dryRun === true) {
    // Checked as the run would check it, so a dry run that passes is a run that starts.
    await loadTaxonomy(config.output.taxonomyFile);
    process.stdout.write(await describeDryRun(config, executor));
    return 0;
  }
  for (const warning of await baselineWarnings(config)) warnOnStderr(warning);
  const { outcome, summary } = await runSweepSession(config, executor, { noColor, progress: flags.progress !== false });
  const exitCode = sweepExitCode(outcome, config.schedule);
  const stopReason = outcome.stop?.reason ?? null;
  const published = await publishResults(outcome.dir, summary, config.output, flags.json === true ? process.stderr : process.stdout);
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ dir: outcome.dir, exitCode, stopReason, ranHere: outcome.ranHere, summary: { ...summary, results: undefined } }, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${renderSummaryText(summary)}\n`);
    process.stdout.write(`Files: ${outcome.dir}/summary.txt, results.txt, runNNN/run.log\n`);
    for (const note of published) process.stdout.write(`${note}\n`);
    if (stopReason !== null) process.stdout.write(`Stopped early: ${stopReason}\n`);
  }
  return exitCode;
}
