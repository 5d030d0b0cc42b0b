import { readdir, readFile } from 'node:fs/promises';

import { mapConcurrently } from '../core/map-concurrently.js';
import type { IterationResult } from '../core/result.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
import { parseRunName, runName, SweepLayout } from './layout.js';
import { type CompromisedHandler, withLock } from './locks.js';
import { readJsonIfExists } from './read-json.js';

/** result.json files read at once: one at a time, a 1,000-iteration sweep waits for 1,000 round trips. */
const READS_AT_ONCE = 32;

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
  const results = await mapConcurrently(iterations, READS_AT_ONCE, async (iteration) => {
    const file = layout.resultJson(iteration);
    try {
      return await readJsonIfExists<IterationResult>(file);
    } catch (error) {
      onUnreadable(file, error as Error);
      return null;
    }
  });
  return results.filter((result): result is IterationResult => result !== null);
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
 * Writes an iteration's result.json and updates results.txt, results.jsonl and summary.txt, under
 * the sweep lock: the files always agree with the results, with one line per iteration and no torn
 * lines, whichever processes share the folder. The aggregate is updated from results.jsonl (one
 * file, written only under this lock) instead of re-reading every result.json, which made each
 * record cost O(iterations) file reads; when results.jsonl is missing or damaged it is rebuilt.
 */
export async function recordResult(
  layout: SweepLayout,
  result: IterationResult,
  renderSummary: SummaryRenderer,
  onCompromised: CompromisedHandler,
): Promise<IterationResult[]> {
  return withLock(layout.sweepLock, onCompromised, async () => {
    await writeJsonAtomic(layout.resultJson(result.iteration), result);
    const known = await readResultsJsonl(layout);
    if (known === null) return rewriteSweepFiles(layout, renderSummary);
    const byIteration = new Map(known.map((r) => [r.iteration, r]));
    byIteration.set(result.iteration, result);
    const results = [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
    await writeSweepFiles(layout, results, renderSummary);
    return results;
  });
}

/** The results in results.jsonl; null when it is missing or any line does not parse (then rebuild it). */
async function readResultsJsonl(layout: SweepLayout): Promise<IterationResult[] | null> {
  let text: string;
  try {
    text = await readFile(layout.resultsJsonl, 'utf8');
  } catch {
    return null;
  }
  const results: IterationResult[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      const parsed = JSON.parse(line) as IterationResult;
      if (!Number.isInteger(parsed.iteration)) return null;
      results.push(parsed);
    } catch {
      return null;
    }
  }
  return results;
}

/** Regenerates the sweep-wide files from the result.json files; the caller holds the sweep lock. */
export async function rewriteSweepFiles(layout: SweepLayout, renderSummary: SummaryRenderer): Promise<IterationResult[]> {
  const results = await readAllResults(layout);
  await writeSweepFiles(layout, results, renderSummary);
  return results;
}

async function writeSweepFiles(layout: SweepLayout, results: IterationResult[], renderSummary: SummaryRenderer): Promise<void> {
  const header = '# run     status       classes                  duration   (* = exit code 0 but the log shows failures)\n';
  // Derived from the result.json files, so rebuilt whenever lost: no need to wait for the disk.
  await writeFileAtomic(layout.resultsTxt, header + results.map((r) => `${resultLine(r)}\n`).join(''), false);
  await writeFileAtomic(layout.resultsJsonl, results.map((r) => `${JSON.stringify(r)}\n`).join(''), false);
  await writeFileAtomic(layout.summaryTxt, renderSummary(results), false);
}
