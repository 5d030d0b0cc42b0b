import { open, readdir } from 'node:fs/promises';
import path from 'node:path';

import type { Classification, Parallelism, PluginEvent, RunExit, RunnerMode } from './classification.js';
import { RunClassifier } from './classifier.js';
import { LineSplitter, stripAnsi } from './line-splitter.js';
import type { Taxonomy } from './taxonomy-types.js';

/** Where the in-container plugin leaves its per-process report files, relative to the artifacts folder. */
export const PLUGIN_REPORTS_DIR = 'flakehunt';

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 20;

/**
 * Feeds a file through a line callback, streaming: memory does not grow with the file. One
 * buffer is read into again and again (LineSplitter copies what it keeps), where a read stream
 * would allocate a buffer per read and copy the last, partial one.
 */
export async function forEachLine(file: string, onLine: (line: string, plain: boolean) => void): Promise<void> {
  const splitter = new LineSplitter(onLine);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let read = await handle.read(buffer, 0, CHUNK_BYTES, null); read.bytesRead > 0; read = await handle.read(buffer, 0, CHUNK_BYTES, null)) {
      splitter.push(read.bytesRead === CHUNK_BYTES ? buffer : buffer.subarray(0, read.bytesRead));
    }
  } finally {
    await handle.close();
  }
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

/** How a LineSplitter's lines go into a classifier; the one way, used live and offline alike. */
export function lineFeeder(classifier: RunClassifier): (line: string, plain: boolean) => void {
  return (line, plain) => classifier.line(plain ? line : stripAnsi(line), plain);
}

/** Classifies one iteration from its files alone: the same answer live and offline. */
export async function classifyLog(input: ClassifyLogInput): Promise<Classification> {
  const classifier = new RunClassifier(input.taxonomy, input.parallelism, input.mode);
  await forEachLine(input.log, lineFeeder(classifier));
  const events = input.artifactsDir === null ? [] : await readPluginEvents(input.artifactsDir);
  return classifier.finish(input.exit, events);
}
