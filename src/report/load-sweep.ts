import { existsSync } from 'node:fs';
import path from 'node:path';

import type { Taxonomy } from '../classify/taxonomy-types.js';
import { UsageError } from '../core/errors.js';
import { SweepLayout } from '../store/layout.js';
import { readJsonIfExists } from '../store/read-json.js';
import { readAllResults } from '../store/results-store.js';
import type { SweepRecord } from '../sweep/sweep-record.js';
import { summaryOf } from '../sweep/sweep-summary.js';
import type { SweepSummary } from './summary-types.js';

/** Reads a sweep folder's results into a summary (for compare, report and the like). */
export async function loadSweepSummary(dir: string, taxonomy: Taxonomy, excludeInfrastructure = false): Promise<SweepSummary> {
  const layout = new SweepLayout(path.resolve(dir));
  if (!existsSync(layout.dir)) throw new UsageError(`${layout.dir} does not exist: give a sweep folder such as logs/serial_fix13`);
  const record = await readJsonIfExists<SweepRecord>(layout.sweepJson).catch(() => null);
  const identity = (record?.identity ?? {}) as { image?: string | null; parallelism?: string; nodeids?: string[] };
  const results = await readAllResults(layout);
  if (results.length === 0) {
    throw new UsageError(`${layout.dir} has no finished iterations (no runNNN/result.json); for a folder of the seed script run flakehunt classify on it first`);
  }
  const name = path.basename(layout.dir);
  const tag = (record?.settings as { tag?: string | null } | undefined)?.tag ?? null;
  return summaryOf(results, { dir: layout.dir, name, image: identity.image ?? null, parallelism: identity.parallelism ?? name, tag, nodeids: identity.nodeids ?? [] }, taxonomy, excludeInfrastructure);
}
