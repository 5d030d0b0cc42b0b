import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { PluginEvent } from '../../classify/classification.js';
import type { IterationResult } from '../../core/result.js';
import { SweepLayout } from '../../store/layout.js';
import { iterationCases } from './iteration-cases.js';
import { renderSuite } from './render-suite.js';
import { xmlAttribute } from './xml-escape.js';

export interface JunitSweep {
  /** Folder name, e.g. `serial_fix13`: the suites are named `serial_fix13@run007`. */
  name: string;
  /** The sweep folder: the logs' paths are found from it. */
  dir: string;
}

export interface JunitOptions {
  /** The plugin's reports of an iteration (per-test outcomes, passes included); none when absent. */
  pluginEvents?: (iteration: number) => Promise<PluginEvent[]>;
  /** Write the logs' paths relative to this folder (the JUnit file's, so they resolve next to it); absolute when absent. */
  pathsRelativeTo?: string;
}

/** The JUnit XML of a sweep's results, one `<testsuite>` (a string) per iteration as its result arrives. */
export async function* junitChunks(
  results: AsyncIterable<IterationResult> | Iterable<IterationResult>,
  sweep: JunitSweep,
  options: JunitOptions = {},
): AsyncGenerator<string> {
  const layout = new SweepLayout(sweep.dir);
  const shown = (file: string): string => (options.pathsRelativeTo === undefined ? file : path.relative(options.pathsRelativeTo, file));
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlAttribute(sweep.name)}">\n`;
  for await (const result of results) {
    const events = options.pluginEvents ? await options.pluginEvents(result.iteration) : [];
    const cases = iterationCases(result, events);
    const log = shown(layout.consoleLog(result.iteration));
    yield renderSuite(sweep.name, result, cases, { log }, events.length > 0 ? 'plugin' : 'log');
  }
  yield '</testsuites>\n';
}

/**
 * Writes a sweep's results as JUnit XML to `out`, streaming: each iteration's suite is written as
 * its result arrives, and no more is read while `out` is full, so memory holds about one suite
 * whatever the sweep's size. The root carries no totals, which would only be known at the end
 * (readers sum the suites). `out` is left open for the caller to end.
 */
export async function writeJunit(
  results: AsyncIterable<IterationResult> | Iterable<IterationResult>,
  sweep: JunitSweep,
  out: Writable,
  options: JunitOptions = {},
): Promise<void> {
  await pipeline(Readable.from(junitChunks(results, sweep, options), { objectMode: true, highWaterMark: 1 }), out, { end: false });
}
