import { existsSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_TAXONOMY, loadTaxonomy } from '../classify/taxonomy-loader.js';
import type { Taxonomy } from '../classify/taxonomy-types.js';
import { SweepLayout } from '../store/layout.js';
import { readSweepRecord } from '../store/sweep-record.js';

/**
 * The taxonomy a command reads sweeps with: --taxonomy when given, else the one their run
 * recorded in sweep.json (the first sweep's, when they differ), else the bundled one. Reading a
 * sweep with other rules than it ran with would relabel its classes, so each fallback is said.
 */
export async function taxonomyForSweeps(dirs: readonly string[], given: string | undefined, warn: (message: string) => void): Promise<Taxonomy> {
  if (given !== undefined) return loadTaxonomy(given);
  const recorded: string[] = [];
  for (const dir of dirs) {
    const record = await readSweepRecord(new SweepLayout(path.resolve(dir))).catch(() => null);
    if (typeof record?.taxonomy === 'string' && record.taxonomy.length > 0) recorded.push(record.taxonomy);
  }
  const distinct = [...new Set(recorded)];
  const chosen = distinct[0];
  if (chosen === undefined) return loadTaxonomy(DEFAULT_TAXONOMY);
  if (distinct.length > 1) warn(`the sweeps ran with different taxonomies (${distinct.join(', ')}); reading them with ${chosen}: pass --taxonomy to choose`);
  if (existsSync(chosen)) return loadTaxonomy(chosen);
  if (path.basename(chosen) === path.basename(DEFAULT_TAXONOMY)) return loadTaxonomy(DEFAULT_TAXONOMY);
  warn(`the taxonomy the sweep ran with, ${chosen}, is not there any more; reading it with the bundled rules: pass --taxonomy to give it`);
  return loadTaxonomy(DEFAULT_TAXONOMY);
}
