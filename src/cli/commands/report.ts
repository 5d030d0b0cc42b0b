import path from 'node:path';

import type { Command } from 'commander';

import { outputFile } from '../../config/option-parsers.js';
import { UsageError } from '../../core/errors.js';
import { compareSweeps } from '../../report/compare.js';
import { renderHtmlReport } from '../../report/html/render-report.js';
import { writeSweepJunitFile } from '../../report/junit/sweep-junit.js';
import { loadSweepSummary } from '../../report/load-sweep.js';
import { githubAnnotations } from '../../report/markdown/github-annotations.js';
import { renderMarkdownSummary } from '../../report/markdown/sweep-markdown.js';
import type { SweepSummary } from '../../report/summary-types.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { SweepLayout } from '../../store/layout.js';
import { requireSweepFolder } from '../../store/sweep-folder.js';
import { taxonomyForSweeps } from '../sweep-taxonomy.js';
import { warnOnStderr } from '../warn-on-stderr.js';

/** Where the report goes by default: inside the sweep for one, beside the sweeps for a comparison. */
function defaultOutput(dirs: string[]): string {
  const first = path.resolve(dirs[0]!);
  if (dirs.length === 1) return path.join(first, 'report.html');
  return path.join(path.dirname(first), `report-${dirs.map((d) => path.basename(path.resolve(d))).join('-vs-')}.html`);
}

interface ReportOptions {
  output?: string;
  excludeInfra?: boolean;
  taxonomy?: string;
  json?: boolean;
  junit?: string;
  markdown?: boolean;
  annotations?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .summary('write a self-contained HTML report (or JUnit XML, or Markdown) of one or more sweeps')
    .description('Write one self-contained HTML file (no network needed): every iteration coloured by class, classes × tests, rates with intervals, durations, links to each failing run\'s log; with several sweeps, each one compared with the one before it. --junit writes JUnit XML of a sweep, --markdown prints the CI step summary, --annotations github the ::error lines, instead.')
    .argument('<sweep-dirs...>', 'sweep folders, oldest first, e.g. logs/serial_fix13 logs/serial_fix14')
    .option('-o, --output <file>', 'where to write it (default <sweep>/report.html, or report-A-vs-B.html beside the sweeps)')
    .option('--exclude-infra', 'leave iterations that failed only for infrastructure reasons out of the rates')
    .option('--taxonomy <file>', 'rules giving class titles and kinds (default: those the sweeps ran with, as sweep.json records)')
    .option('--junit <file>', 'write the sweep as JUnit XML (one testsuite per iteration) instead of HTML')
    .option('--markdown', 'print the Markdown summary (as run appends to $GITHUB_STEP_SUMMARY) instead of HTML')
    .option('--annotations <github>', 'print ::error annotations for the failing tests instead of HTML')
    .option('--json', 'print the path and summaries as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt report logs/serial_fix13                     # → logs/serial_fix13/report.html\n  $ flakehunt report logs/serial_fix13 logs/serial_fix14 -o fix14.html\n  $ flakehunt report --junit fix13.xml logs/serial_fix13\n  $ flakehunt report --markdown logs/serial_fix13 >> "$GITHUB_STEP_SUMMARY"')
    .action(async (dirs: string[], options: ReportOptions) => {
      const taxonomy = await taxonomyForSweeps(dirs, options.taxonomy, warnOnStderr);
      if (options.annotations !== undefined && options.annotations !== 'github') throw new UsageError(`--annotations ${JSON.stringify(options.annotations)}: only github is known (::error workflow commands)`);
      if (options.junit !== undefined) {
        if (dirs.length !== 1) throw new UsageError('--junit writes one sweep: give one sweep folder');
        requireSweepFolder(new SweepLayout(path.resolve(dirs[0]!)));
        const file = outputFile(options.junit, '--junit');
        await writeSweepJunitFile(dirs[0]!, file);
        process.stdout.write(`wrote ${file}\n`);
        return;
      }
      const summaries: SweepSummary[] = [];
      for (const dir of dirs) summaries.push(await loadSweepSummary(dir, taxonomy, options.excludeInfra === true));
      if (options.markdown || options.annotations !== undefined) {
        for (const summary of summaries) {
          if (options.markdown) process.stdout.write(`${renderMarkdownSummary(summary)}\n`);
          if (options.annotations === 'github') for (const line of githubAnnotations(summary)) process.stdout.write(`${line}\n`);
        }
        return;
      }
      const comparisons = summaries.slice(1).map((summary, i) => compareSweeps(summaries[i]!, summary));
      const output = options.output === undefined ? defaultOutput(dirs) : outputFile(options.output, '--output');
      const html = renderHtmlReport({ summaries, comparisons, generatedAt: new Date().toISOString(), reportDir: path.dirname(output) });
      await writeFileAtomic(output, html);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ output, summaries: summaries.map((s) => ({ ...s, results: undefined })), comparisons }, null, 2)}\n`);
      } else {
        process.stdout.write(`wrote ${output}\n`);
      }
    });
}
