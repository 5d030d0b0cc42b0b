import { readdir } from 'node:fs/promises';

import type { IterationResult } from '../core/result.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
import { parseRunName, runName, SweepLayout } from './layout.js';
import { type CompromisedHandler, withLock } from './locks.js';
import { readJsonIfExists } from './read-json.js';

/** Every finished iteration's result.json in the sweep, in iteration order. Unreadable ones are reported, not fatal. */
export async function readAllResults(
  layout: SweepLayout,
  onUnreadable: (file: string, error: Error) => void = () => undefined,
): Promise<IterationResult[]> {
  let names: string[];
  try {
    names = await readdir(layout.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const iterations = names
    .map(parseRunName)
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
  const results: IterationResult[] = [];
  for (const iteration of iterations) {
    const file = layout.resultJson(iteration);
    try {
      const result = await readJsonIfExists<IterationResult>(file);
      if (result !== null) results.push(result);
    } catch (error) {
      onUnreadable(file, error as Error);
    }
  }
  return results;
}

/** One line of results.txt: `run029  FAILED       A1,A2  301.2s`. */
export function resultLine(result: IterationResult): string {
  const status = result.status.toUpperCase() + (result.exitCodeMismatch ? '*' : '');
  const classes = result.classes.length > 0 ? result.classes.join(',') : '-';
  const seconds = `${(result.durationMs / 1000).toFixed(1)}s`;
  return `${runName(result.iteration)}  ${status.padEnd(12)} ${classes.padEnd(24)} ${seconds}`;
}

/** Renders summary.txt from the sweep's results. */
export type SummaryRenderer = (results: IterationResult[]) => string;

/**
 * Writes an iteration's result.json and regenerates results.txt, results.jsonl and summary.txt
 * from every result.json, under the sweep lock: the files always agree with the results, with one
 * line per iteration and no torn lines, whichever processes share the folder.
 */
export async function recordResult(
  layout: SweepLayout,
  result: IterationResult,
  renderSummary: SummaryRenderer,
  onCompromised: CompromisedHandler,
): Promise<IterationResult[]> {
  return withLock(layout.sweepLock, onCompromised, async () => {
    await writeJsonAtomic(layout.resultJson(result.iteration), result);
    return rewriteSweepFiles(layout, renderSummary);
  });
}

/** Regenerates the sweep-wide files from the result.json files; the caller holds the sweep lock. */
export async function rewriteSweepFiles(layout: SweepLayout, renderSummary: SummaryRenderer): Promise<IterationResult[]> {
  const results = await readAllResults(layout);
  const header = '# run     status       classes                  duration   (* = exit code 0 but the log shows failures)\n';
  // Derived from the result.json files, so rebuilt whenever lost: no need to wait for the disk.
  await writeFileAtomic(layout.resultsTxt, header + results.map((r) => `${resultLine(r)}\n`).join(''), false);
  await writeFileAtomic(layout.resultsJsonl, results.map((r) => `${JSON.stringify(r)}\n`).join(''), false);
  await writeFileAtomic(layout.summaryTxt, renderSummary(results), false);
  return results;
}

