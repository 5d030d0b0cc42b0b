import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

import type { Classification, Parallelism, PluginEvent, RunExit, RunnerMode } from './classification.js';
import { RunClassifier } from './classifier.js';
import { LineSplitter, stripAnsi } from './line-splitter.js';
import type { Taxonomy } from './taxonomy-types.js';

/** Where the in-container plugin leaves its per-process report files, relative to the artifacts folder. */
export const PLUGIN_REPORTS_DIR = 'flakehunt';

/** Feeds a file through a line callback, streaming: memory does not grow with the file. */
export async function forEachLine(file: string, onLine: (line: string, plain: boolean) => void): Promise<void> {
  const splitter = new LineSplitter(onLine);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) splitter.push(chunk as Buffer);
  splitter.end();
}

/** Reads the plugin's JSON-lines reports from an iteration's artifacts folder; a torn last line is skipped. */
export async function readPluginEvents(artifactsDir: string): Promise<PluginEvent[]> {
  const dir = path.join(artifactsDir, PLUGIN_REPORTS_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
  const events: PluginEvent[] = [];
  for (const name of names) {
    await forEachLine(path.join(dir, name), (line) => {
      if (line.length === 0) return;
      try {
        events.push(JSON.parse(line) as PluginEvent);
      } catch {
        // The process died mid-write: the last line may be torn.
      }
    });
  }
  return events;
}

export interface ClassifyLogInput {
  log: string;
  artifactsDir: string | null;
  taxonomy: Taxonomy;
  parallelism: Parallelism;
  mode: RunnerMode;
  exit: RunExit;
}

/** Classifies one iteration from its files alone: the same answer live and offline. */
export async function classifyLog(input: ClassifyLogInput): Promise<Classification> {
  const classifier = new RunClassifier(input.taxonomy, input.parallelism, input.mode);
  await forEachLine(input.log, (line, plain) => {
    if (plain) classifier.lineWithoutCarriageReturn(line);
    else classifier.line(stripAnsi(line));
  });
  const events = input.artifactsDir === null ? [] : await readPluginEvents(input.artifactsDir);
  return classifier.finish(input.exit, events);
}
