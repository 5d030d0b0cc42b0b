import path from 'node:path';

import type { Command } from 'commander';

import { DEFAULT_TAXONOMY, loadTaxonomy } from '../../classify/taxonomy-loader.js';
import { compareSweeps } from '../../report/compare.js';
import { renderHtmlReport } from '../../report/html/render-report.js';
import { loadSweepSummary } from '../../report/load-sweep.js';
import type { SweepSummary } from '../../report/summary-types.js';
import { writeFileAtomic } from '../../store/atomic-write.js';

/** Where the report goes by default: inside the sweep for one, beside the sweeps for a comparison. */
function defaultOutput(dirs: string[]): string {
  const first = path.resolve(dirs[0]!);
  if (dirs.length === 1) return path.join(first, 'report.html');
  return path.join(path.dirname(first), `report-${dirs.map((d) => path.basename(path.resolve(d))).join('-vs-')}.html`);
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .summary('write a self-contained HTML report of one or more sweeps')
    .description('Write one self-contained HTML file (no network needed): every iteration coloured by class, classes ×\ntests, rates with intervals, durations, links to each failing run\'s log; with several sweeps, each\none compared with the one before it.')
    .argument('<sweep-dirs...>', 'sweep folders, oldest first, e.g. logs/serial_fix13 logs/serial_fix14')
    .option('-o, --output <file>', 'where to write it (default <sweep>/report.html, or report-A-vs-B.html beside the sweeps)')
    .option('--exclude-infra', 'leave iterations that failed only for infrastructure reasons out of the rates')
    .option('--taxonomy <file>', 'rules giving class titles and kinds (default: bundled)')
    .option('--json', 'print the path and summaries as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt report logs/serial_fix13                     # → logs/serial_fix13/report.html\n  $ flakehunt report logs/serial_fix13 logs/serial_fix14 -o fix14.html')
    .action(async (dirs: string[], options: { output?: string; excludeInfra?: boolean; taxonomy?: string; json?: boolean }) => {
      const taxonomy = await loadTaxonomy(options.taxonomy ?? DEFAULT_TAXONOMY);
      const summaries: SweepSummary[] = [];
      for (const dir of dirs) summaries.push(await loadSweepSummary(dir, taxonomy, options.excludeInfra === true));
      const comparisons = summaries.slice(1).map((summary, i) => compareSweeps(summaries[i]!, summary));
      const output = path.resolve(options.output ?? defaultOutput(dirs));
      const html = renderHtmlReport({ summaries, comparisons, generatedAt: new Date().toISOString(), reportDir: path.dirname(output) });
      await writeFileAtomic(output, html);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ output, comparisons }, null, 2)}\n`);
      } else {
        process.stdout.write(`wrote ${output}\n`);
      }
    });
}
