import path from 'node:path';

import type { Taxonomy } from '../classify/taxonomy-types.js';
import { UsageError } from '../core/errors.js';
import { SweepLayout } from '../store/layout.js';
import { readAllResults } from '../store/results-store.js';
import { requireSweepFolder } from '../store/sweep-folder.js';
import { readSweepRecord } from '../store/sweep-record.js';
import { summaryOf, sweepInfoOf } from './sweep-summary.js';
import type { SweepSummary } from './summary-types.js';

/** Reads a sweep folder's results into a summary (for compare, report and the like). */
export async function loadSweepSummary(dir: string, taxonomy: Taxonomy, excludeInfrastructure = false): Promise<SweepSummary> {
  const layout = new SweepLayout(path.resolve(dir));
  requireSweepFolder(layout);
  const record = await readSweepRecord(layout).catch(() => null);
  const results = await readAllResults(layout);
  if (results.length === 0) {
    throw new UsageError(`${layout.dir} has no finished iterations (no runNNN/result.json); for a folder of the seed script run flakehunt classify on it first`);
  }
  return summaryOf(results, sweepInfoOf(layout.dir, record), taxonomy, excludeInfrastructure);
}
