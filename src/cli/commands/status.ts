import type { Command } from 'commander';

import { readSweepStatus } from '../../report/sweep-status.js';
import { renderStatusText } from '../../report/status-text.js';
import { parseDuration } from '../../core/durations.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .summary('show what every process of a sweep is doing')
    .description('Show, from the sweep folder alone, what every flakehunt process of the sweep is doing: finished, running (which iterations, which host, for how long) and left, counts by class, and an ETA.')
    .argument('<sweep-dir>', 'a sweep folder, e.g. logs/serial_fix13')
    .option('--watch [interval]', 'refresh until interrupted (default every 5s)')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt status logs/serial_fix13\n  $ flakehunt status logs/n4 --watch 10s')
    .action(async (dir: string, options: { watch?: string | boolean; json?: boolean }) => {
      const print = async () => {
        const status = await readSweepStatus(dir);
        return options.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatusText(status);
      };
      if (options.watch === undefined) {
        process.stdout.write(await print());
        return;
      }
      const everyMs = parseDuration(typeof options.watch === 'string' ? options.watch : '5s', '--watch');
      const tty = process.stdout.isTTY;
      for (;;) {
        const text = await print();
        process.stdout.write(tty ? `\x1b[H\x1b[2J${text}` : `--- ${new Date().toISOString()}\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, Math.max(500, everyMs)));
      }
    });
}
