import { existsSync } from 'node:fs';
import path from 'node:path';

import type { Command } from 'commander';

import { environment, imageReference, variableNames, wholeNumber } from '../../config/option-parsers.js';
import { replayConfigOf } from '../../config/replay-config.js';
import { UsageError } from '../../core/errors.js';
import type { IterationResult } from '../../core/result.js';
import { createExecutor } from '../../executors/registry.js';
import { failureKeysOf } from '../../report/failure-keys.js';
import { formatRate, renderSummaryText } from '../../report/summary-text.js';
import { SweepLayout } from '../../store/layout.js';
import { readJsonIfExists } from '../../store/read-json.js';
import { readSweepRecord } from '../../store/sweep-record.js';
import { estimateRate } from '../../stats/wilson.js';
import { executorOptionsOf } from '../../sweep/sweep-config.js';
import { sweepExitCode } from '../exit-codes.js';
import { collect } from '../register-run-options.js';
import { runSweepSession } from '../sweep-session.js';

interface ReplayOptions {
  iterations: string;
  jobs: string;
  image?: string;
  env?: string[];
  envPass?: string[];
  logsDir?: string;
  tag?: string;
  progress: boolean;
  json?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .summary('run one recorded iteration again, exactly, N times')
    .description('Run an iteration of a sweep again under exactly its conditions: the image it ran (by id), its command, its perturbation as drawn, its test order seed and PYTHONHASHSEED, its parallelism; N times, in a new sweep folder (<logs>/replay_<sweep>_runNNN), and say how often it failed the same way.')
    .argument('<run-dir>', 'an iteration of a sweep, e.g. logs/hunt_x/run017')
    .option('-n, --iterations <n>', 'how many times', '10')
    .option('-j, --jobs <n>', 'iterations at once', '1')
    .option('-i, --image <image>', 'another image than the one the iteration ran (e.g. the fix)')
    .option('--env <KEY=VAL>', 'a variable to set (needed for secret ones: sweep.json keeps them masked) (repeatable)', collect)
    .option('--env-pass <NAME>', 'pass a host variable by name (repeatable)', collect)
    .option('--logs-dir <dir>', 'output root (default: the replayed sweep\'s)')
    .option('-t, --tag <tag>', 'suffix of the new sweep folder (default <sweep>_<run>)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt replay logs/hunt_demo/run017 -n 20\n  $ flakehunt replay logs/serial_fix13/run029 -n 50 -j 2 -i dynamo:fix14 -t fix14-on-run029')
    .action(async (runDir: string, options: ReplayOptions, command: Command) => {
      command.setOptionValue('exitCode', await replayCommand(runDir, options, program.opts().color === false));
    });
}

async function replayCommand(runDir: string, options: ReplayOptions, noColor: boolean): Promise<number> {
  const dir = path.resolve(runDir);
  const result = await readJsonIfExists<IterationResult>(path.join(dir, 'result.json')).catch(() => null);
  if (!existsSync(dir) || result === null) throw new UsageError(`${runDir} is not an iteration of a flakehunt sweep (no readable result.json): give one like logs/serial_fix13/run007`);
  const record = await readSweepRecord(new SweepLayout(path.dirname(dir)));
  if (record === null) throw new UsageError(`${path.dirname(dir)} has no sweep.json: replay needs the sweep an iteration came from`);
  const config = replayConfigOf(dir, record, result, {
    env: environment(options.env),
    envPass: variableNames(options.envPass, '--env-pass'),
    image: imageReference(options.image),
    logsDir: options.logsDir === undefined ? null : path.resolve(options.logsDir),
    tag: options.tag ?? null,
    iterations: wholeNumber(options.iterations, '--iterations'),
    jobs: wholeNumber(options.jobs, '--jobs'),
  });
  const executor = await createExecutor(config.executor, executorOptionsOf(config));
  const { outcome, summary } = await runSweepSession(config, executor, { noColor, progress: options.progress !== false });
  const original = failureKeysOf(result.failures);
  const counted = outcome.results.filter((r) => r.status === 'passed' || r.status === 'failed');
  const same = counted.filter((r) => r.status === 'failed' && [...failureKeysOf(r.failures)].some((key) => original.has(key)));
  const sameWay = estimateRate(same.length, counted.length);
  const exitCode = sweepExitCode(outcome, config.schedule);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ dir: outcome.dir, exitCode, replayed: dir, originalStatus: result.status, sameWay, summary: { ...summary, results: undefined } }, null, 2)}\n`);
    return exitCode;
  }
  process.stdout.write(`\n${renderSummaryText(summary)}\n`);
  const how = result.status === 'failed' ? `failed the way ${path.basename(dir)} did: ${formatRate(sameWay)}` : `${path.basename(dir)} ${result.status}`;
  process.stdout.write(`Replayed ${path.basename(dir)} of ${record.name} ${counted.length} time(s) under its conditions; ${how}\n`);
  return exitCode;
}
