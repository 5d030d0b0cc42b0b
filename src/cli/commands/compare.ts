import type { Command } from 'commander';

import { compareSweeps, renderComparisonText } from '../../report/compare.js';
import { loadSweepSummary } from '../../report/load-sweep.js';
import { taxonomyForSweeps } from '../sweep-taxonomy.js';
import { warnOnStderr } from '../warn-on-stderr.js';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .summary('did the fix work? compare two sweeps')
    .description('Compare two sweeps per class and per test: both rates with 95% intervals, the difference, a two-sided Fisher exact p-value and a plain verdict.')
    .argument('<before>', 'the baseline sweep folder, e.g. logs/serial_fix13')
    .argument('<after>', 'the sweep to judge, e.g. logs/serial_fix14')
    .option('--exclude-infra', 'leave iterations that failed only for infrastructure reasons (A5) out of the rates')
    .option('--taxonomy <file>', 'rules giving class titles and kinds (default: those the sweeps ran with, as sweep.json records)')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt compare logs/serial_fix13 logs/serial_fix14\n  $ flakehunt compare logs/serial logs/serial_fix8 --exclude-infra --json')
    .action(async (before: string, after: string, options: { excludeInfra?: boolean; taxonomy?: string; json?: boolean }) => {
      const taxonomy = await taxonomyForSweeps([before, after], options.taxonomy, warnOnStderr);
      const a = await loadSweepSummary(before, taxonomy, options.excludeInfra === true);
      const b = await loadSweepSummary(after, taxonomy, options.excludeInfra === true);
      const comparison = compareSweeps(a, b);
      process.stdout.write(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : `${renderComparisonText(comparison)}\n`);
    });
}
