import { Command, CommanderError } from 'commander';

import { ExitCode } from '../core/errors.js';
import { registerClassify } from './commands/classify.js';
import { registerHunt } from './commands/hunt.js';
import { registerReplay } from './commands/replay.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerClean } from './commands/clean.js';
import { registerCompare } from './commands/compare.js';
import { registerDoctor } from './commands/doctor.js';
import { registerPlan } from './commands/plan.js';
import { registerReport } from './commands/report.js';
import { PYTEST_COMMANDS, withUnknownOptionHint } from './unknown-option-hint.js';

/** `command`: the first word of the command line, to hint at pytest's options only where they could go. */
function buildProgram(command: string | undefined): Command {
  const program = new Command('flakehunt')
    .description('Reproduce flaky tests: run them many times, each iteration in a fresh Docker container, classify every failure, and tell whether a fix really worked.')
    .version('0.1.0')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .showSuggestionAfterError(true)
    .addHelpText('after', `
Exit codes: 0 all iterations passed, 1 some failed, 2 usage or configuration error,
            3 environment error (Docker unreachable, image missing), 130 interrupted.`);
  program.exitOverride();
  const hinted = (text: string) => (command !== undefined && PYTEST_COMMANDS.has(command) ? withUnknownOptionHint(text) : text);
  program.configureOutput({
    outputError: (text, write) => write(`flakehunt: ${hinted(text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' '))} (see flakehunt --help)\n`),
  });
  registerRun(program);
  registerHunt(program);
  registerReplay(program);
  registerClassify(program);
  registerStatus(program);
  registerCompare(program);
  registerPlan(program);
  registerReport(program);
  registerClean(program);
  registerDoctor(program);
  return program;
}

/** Runs the CLI and returns the exit code; the only place errors become exit codes. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(argv.slice(2).find((arg) => !arg.startsWith('-')));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
      // `flakehunt` with no command prints the help, but did not do what was asked.
      return ExitCode.usage;
    }
    const known = error as { exitCode?: number; message?: string };
    if (typeof known.exitCode === 'number') {
      process.stderr.write(`flakehunt: ${known.message}\n`);
      return known.exitCode;
    }
    const system = error as NodeJS.ErrnoException;
    if (typeof system.code === 'string' && typeof system.syscall === 'string') {
      // A file or folder that cannot be read or written: the machine's problem, said in one line.
      process.stderr.write(`flakehunt: cannot ${system.syscall} ${system.path ?? ''}: ${system.code} (${system.message}); check the path and its permissions\n`);
      return ExitCode.environment;
    }
    process.stderr.write(`flakehunt: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.internal;
  }
  const ran = program.commands.find((c) => c.getOptionValue('exitCode') !== undefined);
  return (ran?.getOptionValue('exitCode') as number | undefined) ?? ExitCode.ok;
}
