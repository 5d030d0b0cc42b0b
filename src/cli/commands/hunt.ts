import path from 'node:path';

import type { Command } from 'commander';

import { loadTaxonomy } from '../../classify/taxonomy-loader.js';
import { loadConfigFile } from '../../config/config-file.js';
import { huntConfigOf } from '../../config/hunt-options.js';
import { resolveRunConfig } from '../../config/resolve-run-config.js';
import { availablePerturbations, createExecutor } from '../../executors/registry.js';
import { huntVerdict } from '../../report/hunt-verdict.js';
import { renderHuntText } from '../../report/hunt-text.js';
import { renderSummaryText } from '../../report/summary-text.js';
import { runName } from '../../store/layout.js';
import { describeDryRun } from '../../sweep/dry-run.js';
import { executorOptionsOf } from '../../sweep/sweep-config.js';
import { huntExitCode } from '../exit-codes.js';
import { resolveHuntTarget } from '../hunt-target.js';
import { publishResults } from '../publish-results.js';
import { addRunOptions, givenRunFlags } from '../register-run-options.js';
import { runCommandLine } from '../run-command-line.js';
import { runSweepSession } from '../sweep-session.js';

export function registerHunt(program: Command): void {
  const hunt = program
    .command('hunt')
    .summary('reproduce a flake as soon as possible: iterations go where it shows most')
    .description('Run iterations under perturbations (CPU starvation, hogs, stalls, test order, … or your --matrix), choosing each iteration\'s conditions by Thompson sampling on how often each has shown the target so far, until the target is reproduced --reproductions times or the --budget is spent. Ends with the conditions that reproduce it best, their rate, and the commands that replay them. Writes a sweep folder like run: resumable, shareable by processes.')
    .option('--target <what>', 'the failure to reproduce: any, a class (A1), a signature, a run folder (logs/x/run007) or a console log file CI saved', 'any')
    .option('--budget <n|duration>', 'at most this many iterations (default 100, the range), or this much time (e.g. 2h)')
    .option('--reproductions <k>', 'stop once the target was reproduced k times', '3');
  addRunOptions(hunt)
    .addHelpText('after', `
Examples:
  $ flakehunt hunt -i img --mount ./tests:/suite:ro --workdir /suite --pytest-nodeid tests -j 2 --budget 60
  $ flakehunt hunt -i img --pytest-nodeid tests --target ci-console.log --budget 2h
  $ flakehunt hunt -i img --pytest-nodeid tests --target A2 --matrix parallelism=serial,4 --matrix noise=none,cpu:0.2,stall:200ms`)
    .action(async (options: { target: string; budget?: string; reproductions: string }, command: Command) => {
      command.setOptionValue('exitCode', await huntCommand(command, options, program.opts().color === false));
    });
}

async function huntCommand(command: Command, options: { target: string; budget?: string; reproductions: string }, noColor: boolean): Promise<number> {
  const flags = givenRunFlags(command);
  const file = await loadConfigFile(flags.config as string | undefined);
  const base = resolveRunConfig(flags, file.values, file.dir);
  const taxonomy = await loadTaxonomy(base.output.taxonomyFile);
  const target = await resolveHuntTarget(options.target, taxonomy, base);
  const available = base.conditions.matrix === null ? await availablePerturbations(base.executor) : undefined;
  const config = huntConfigOf(base, { ...flags, budget: options.budget, reproductions: options.reproductions }, target, available);
  const executor = await createExecutor(config.executor, executorOptionsOf(config));
  if (flags.dryRun === true) {
    process.stdout.write(await describeDryRun(config, executor));
    return 0;
  }
  const { outcome, summary } = await runSweepSession(config, executor, { noColor, progress: flags.progress !== false, taxonomy });
  const cells = config.conditions.cells.map((c) => ({ name: c.name, perturbation: c.perturbationText, parallelism: c.parallelism }));
  const verdict = huntVerdict(outcome.results, cells, target);
  const last = verdict.reproductions.at(-1);
  const next = {
    replay: last === undefined ? null : `flakehunt replay ${path.join(outcome.dir, runName(last))} -n 10`,
    rerun: verdict.best === null ? null : runCommandLine(config, { perturbation: verdict.best.perturbation, parallelism: verdict.best.parallelism, tag: `${path.basename(outcome.dir)}-best`, end: 20 }),
  };
  const exitCode = huntExitCode(outcome, verdict.reproductions.length > 0);
  const published = await publishResults(outcome.dir, summary, config.output, flags.json === true ? process.stderr : process.stdout, { huntNext: next });
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ dir: outcome.dir, exitCode, stopReason: outcome.stop?.reason ?? null, hunt: verdict, next, summary: { ...summary, results: undefined } }, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${renderSummaryText(summary)}\n${renderHuntText(verdict, next)}`);
    if (outcome.stop !== null) process.stdout.write(`Stopped: ${outcome.stop.reason}\n`);
    for (const note of published) process.stdout.write(`${note}\n`);
  }
  return exitCode;
}
