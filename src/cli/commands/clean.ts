import type { Command } from 'commander';

import { UsageError } from '../../core/errors.js';
import { createExecutor, EXECUTOR_CHOICES, parseExecutorKind } from '../../executors/registry.js';
import { SweepLayout } from '../../store/layout.js';
import { readSweepRecord } from '../../store/sweep-record.js';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .summary('remove containers left behind by killed flakehunt runs')
    .description('Remove containers (or local process groups) that flakehunt started and whose flakehunt process is gone. Only flakehunt\'s own (found by their labels) are touched; never a container of anyone else.')
    .option('--sweep <dir>', 'only this sweep\'s leftovers')
    .option('--all', 'also remove those of flakehunt processes that are still running (stops their iterations)')
    .option(`--executor <${EXECUTOR_CHOICES}>`, 'which back end to clean', 'docker')
    .option('--json', 'print what was removed as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt clean                          # containers of flakehunt runs that were killed\n  $ flakehunt clean --sweep logs/serial_fix13 --all')
    .action(async (options: { sweep?: string; all?: boolean; executor: string; json?: boolean }) => {
      const kind = parseExecutorKind(options.executor);
      let sweepId: string | null = null;
      if (options.sweep !== undefined) {
        const record = await readSweepRecord(new SweepLayout(options.sweep)).catch(() => null);
        if (record === null) throw new UsageError(`${options.sweep} has no readable sweep.json: give a flakehunt sweep folder`);
        sweepId = record.sweepId;
      }
      const executor = await createExecutor(kind);
      await executor.ping();
      const removed = await executor.reap({ sweepId, includeLiveOwners: options.all === true });
      if (options.json) process.stdout.write(`${JSON.stringify({ removed })}\n`);
      else process.stdout.write(removed.length === 0 ? 'nothing to clean\n' : `removed ${removed.length}: ${removed.join(', ')}\n`);
    });
}
