import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

import { readPluginEvents } from '../../classify/classify-log.js';
import { SweepLayout } from '../../store/layout.js';
import { readAllResults } from '../../store/results-store.js';
import { writeJunit } from './write-junit.js';

/** Writes the JUnit XML of a sweep folder: its result.json files, and the plugin's reports where an iteration has them. */
export async function writeSweepJunit(sweepDir: string, out: Writable, pathsRelativeTo?: string): Promise<void> {
  const layout = new SweepLayout(path.resolve(sweepDir));
  const results = await readAllResults(layout);
  await writeJunit(results, { name: path.basename(layout.dir), dir: layout.dir }, out, {
    pluginEvents: (iteration) => readPluginEvents(layout.artifactsDir(iteration)),
    ...(pathsRelativeTo === undefined ? {} : { pathsRelativeTo }),
  });
}

/**
 * Writes a sweep folder's JUnit XML to `file`, the logs' paths relative to it, through a temporary
 * file renamed into place: a CI step that picks the file up never sees half of it.
 */
export async function writeSweepJunitFile(sweepDir: string, file: string): Promise<void> {
  const target = path.resolve(file);
  const temporary = `${target}.${process.pid}.tmp`;
  await mkdir(path.dirname(target), { recursive: true });
  const out = (await open(temporary, 'w')).createWriteStream();
  try {
    await writeSweepJunit(sweepDir, out, path.dirname(target));
    out.end();
    await finished(out);
    await rename(temporary, target);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
