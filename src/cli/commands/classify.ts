import path from 'node:path';

import type { Command } from 'commander';

import { renderSuggestions, suggestRules } from '../../classify/suggest-rules.js';
import { summaryRenderer, sweepInfoOf } from '../../report/sweep-summary.js';
import { runName, SweepLayout } from '../../store/layout.js';
import { readSweepRecord } from '../../store/sweep-record.js';
import { reclassifySweep } from '../../sweep/reclassify-sweep.js';
import { taxonomyForSweeps } from '../sweep-taxonomy.js';
import { warnOnStderr } from '../warn-on-stderr.js';

function describeClasses(status: string, classes: string[]): string {
  return status === 'failed' ? classes.join(',') || 'FAILED' : status.toUpperCase();
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .summary('re-classify an existing sweep from its logs')
    .description('Re-classify every iteration of a sweep folder from its logs alone, with the rules it ran with (or the given ones), and rewrite result.json, results.txt, results.jsonl and summary.txt. Works on folders of the seed script too (runNNN/pytest.log or run.log, .exit_code; parallelism from the folder name).')
    .argument('<sweep-dir>', 'a sweep folder, e.g. logs/serial_fix13')
    .option('--taxonomy <file>', 'rules to classify with (default: those the sweep ran with, as sweep.json records; else the bundled dynamo-router rules)')
    .option('--suggest', 'then print, for each signature no rule matched, a ready rule to paste into a taxonomy file')
    .option('--json', 'print the changes (and the suggestions) as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt classify logs/serial_fix13\n  $ flakehunt classify logs/n4_fix8 --taxonomy my-rules.json   # a folder of the seed script works too\n  $ flakehunt classify logs/serial_mine --suggest                # rules for what nothing matched')
    .action(async (dir: string, options: { taxonomy?: string; json?: boolean; suggest?: boolean }) => {
      const taxonomy = await taxonomyForSweeps([dir], options.taxonomy, warnOnStderr);
      const layout = new SweepLayout(path.resolve(dir));
      const record = await readSweepRecord(layout).catch(() => null);
      const info = sweepInfoOf(layout.dir, record);
      const warn = (error: Error) => warnOnStderr(error.message);
      const { changes, results, origin } = await reclassifySweep(dir, taxonomy, summaryRenderer(info, taxonomy), warn);
      const suggestions = options.suggest ? suggestRules(results, new Set(taxonomy.rules.map((r) => r.id))) : null;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ dir: info.dir, origin, changes, iterations: results.length, ...(suggestions === null ? {} : { suggestions }) }, null, 2)}\n`);
        return;
      }
      for (const change of changes) {
        const before = change.before === null ? '(new)' : describeClasses(change.before.status, change.before.classes);
        process.stdout.write(`${runName(change.iteration)}: ${before} → ${describeClasses(change.after.status, change.after.classes)}\n`);
      }
      process.stdout.write(`${results.length} iteration(s) classified with ${taxonomy.name} (${origin.kind} folder, ${origin.parallelism}); ${changes.length} changed. See ${path.join(info.dir, 'summary.txt')}\n`);
      if (suggestions !== null) process.stdout.write(`\n${renderSuggestions(suggestions, results.length)}`);
    });
}
