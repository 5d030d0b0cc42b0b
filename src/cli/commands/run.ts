import type { Command } from 'commander';

import { loadTaxonomy } from '../../classify/taxonomy-loader.js';
import { loadConfigFile } from '../../config/config-file.js';
import { SweepEvents } from '../../core/events.js';
import { createExecutor } from '../../executors/create-executor.js';
import { describeDryRun } from '../../sweep/dry-run.js';
import { SweepRunner } from '../../sweep/sweep-runner.js';
import { summaryOf, sweepInfo } from '../../sweep/sweep-summary.js';
import { renderSummaryText } from '../../report/summary-text.js';
import { ProgressReporter } from '../../ui/progress-reporter.js';
import { makeChalk, outputOf } from '../../ui/terminal.js';
import { resolveRunConfig } from '../run-options.js';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerRun(program: Command): void {
  program
    .command('run')
    .summary('run a stress sweep: each iteration in a fresh container')
    .description('Run the tests many times, each iteration in a fresh container, and classify every failure.\nRe-running the same command resumes the sweep: finished iterations are skipped, unfinished ones re-run.')
    .option('-i, --image <image>', 'Docker image to test (required with the docker executor)')
    .option('--pytest-nodeid <id>', 'pytest node id or path to run (repeatable)', collect)
    .option('-p, --parallelism <serial|N>', 'serial (no xdist) or N for pytest -n N (default serial)')
    .option('-s, --start <n>', 'first iteration (default 1)')
    .option('-e, --end <n>', 'last iteration (default 100)')
    .option('-t, --tag <tag>', 'suffix of the sweep folder: logs/<serial|nN>_<tag>')
    .option('--logs-dir <dir>', 'output root (default ./logs)')
    .option('--pytest-args <args>', 'extra pytest arguments, e.g. "--timeout 90 -x"')
    .option('--pytest-launcher <cmd>', 'how to start pytest (default "python3 -m pytest")')
    .option('--command <cmd>', 'run this command instead of pytest (go test, cargo test, a script); split into words, never run by a shell')
    .option('--config <file>', 'config file (default ./flakehunt.config.json when present); flags win')
    .option('--env <KEY=VAL>', 'set a variable in the container (repeatable)', collect)
    .option('--env-pass <NAME>', 'pass a host variable by name; its value is never written anywhere (repeatable)', collect)
    .option('--mount <host:container[:ro]>', 'bind-mount a host path (repeatable)', collect)
    .option('--workdir <dir>', 'working directory in the container')
    .option('--network <name>', 'Docker network (e.g. host, none)')
    .option('--shm-size <size>', 'size of /dev/shm, e.g. 2g')
    .option('--ulimit <name=soft[:hard]>', 'a ulimit, e.g. nofile=65536 (repeatable)', collect)
    .option('--gpus <all|N|device=IDS>', 'GPUs to pass to the container')
    .option('--cpus <n>', 'CPU limit, e.g. 1.5')
    .option('--memory <size>', 'memory limit, e.g. 8g')
    .option('--no-init', 'run the test command as PID 1 instead of under an init process')
    .option('--artifacts-dir <dir>', 'artifacts folder in the container (default /flakehunt/artifacts), copied out after each run')
    .option('--artifacts-env <NAME>', 'also export the artifacts folder under this name, e.g. DYN_TEST_OUTPUT_PATH (repeatable)', collect)
    .option('--timeout <dur>', 'wall-clock limit per iteration, e.g. 90s, 10m, 2h; 0 = none (default 1h)')
    .option('--idle-timeout <dur>', 'stop an iteration after this long without output (default 15m)')
    .option('--grace <dur>', 'time between SIGTERM and SIGKILL when stopping a container (default 10s)')
    .option('-j, --jobs <n>', 'iterations (containers) at once (default 1)')
    .option('--chunk-size <n>', 'hand out iterations in chunks of n consecutive ones, each chunk run in order by one worker')
    .option('--chunk-parallel <m>', 'chunks at once (the same as --jobs when chunking)')
    .option('--until-fail', 'stop the sweep (all its processes) at the first failing iteration')
    .option('--max-failures <n>', 'stop the sweep (all its processes) after n failing iterations')
    .option('--taxonomy <file>', 'failure taxonomy rules (default templates/taxonomy/dynamo-router.json)')
    .option('--executor <docker|local>', 'where iterations run (default docker)')
    .option('--infra-retries <n>', 'retries of an iteration after an infrastructure error (default 2)')
    .option('--force', 're-run finished iterations (old files are kept aside) and accept changed sweep settings')
    .option('--dry-run', 'print the plan and each iteration\'s container spec; run and write nothing')
    .option('--json', 'print the final summary as JSON on stdout')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText('after', `
Examples:
  $ flakehunt run -i dynamo:latest-dev -p serial -s 1 -e 50 -t fix13 \\
      --pytest-nodeid 'tests/router/test_router_e2e_with_mockers.py::test_router_decisions[jetstream-tcp]'
  $ flakehunt run -i img --mount ./tests:/suite:ro --workdir /suite --pytest-nodeid tests -p 4 -j 2 --until-fail
  $ flakehunt run -i img --command "go test -run TestFlaky ./pkg/..." -e 200 --timeout 5m`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      command.setOptionValue('exitCode', await runCommand(options, program.opts().color === false));
    });
}

async function runCommand(options: Record<string, unknown>, noColor: boolean): Promise<number> {
  const file = await loadConfigFile(options.config as string | undefined);
  // commander sets `init: true` by default for --no-init; only an explicit --no-init should override the file.
  const flags = { ...options, init: options.init === false ? false : undefined, pytestNodeid: options.pytestNodeid };
  const config = resolveRunConfig(flags, file.values, file.dir);
  if (options.dryRun === true) {
    process.stdout.write(await describeDryRun(config));
    return 0;
  }
  const taxonomy = await loadTaxonomy(config.taxonomyFile);
  const executor = await createExecutor(config.executor);
  const events = new SweepEvents();
  const stderr = outputOf(process.stderr);
  const chalk = makeChalk(process.stderr, noColor);
  const progress = new ProgressReporter(stderr, chalk, stderr.isTTY && options.progress !== false);
  events.subscribe(progress.listener);
  const controller = new AbortController();
  const runner = new SweepRunner(config, { executor, taxonomy, events, signal: controller.signal });
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
    const summary = summaryOf(outcome.results, sweepInfo(outcome.dir, config), taxonomy);
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ dir: outcome.dir, exitCode: outcome.exitCode, stopReason: outcome.stopReason, ranHere: outcome.ranHere, summary: { ...summary, results: undefined } }, null, 2)}\n`);
    } else {
      process.stdout.write(`\n${renderSummaryText(summary)}\n`);
      process.stdout.write(`Files: ${outcome.dir}/summary.txt, results.txt, runNNN/run.log\n`);
      if (outcome.stopReason !== null) process.stdout.write(`Stopped early: ${outcome.stopReason}\n`);
    }
    return outcome.exitCode;
  } finally {
    progress.stop();
    for (const name of signalNames) process.off(name, onSignal);
  }
}
