import { UsageError } from '../core/errors.js';
import type { SweepLayout } from './layout.js';
import { readJsonIfExists } from './read-json.js';

/** What a sweep measures (see the engine's identityOf): resuming with other values is refused. */
export interface SweepIdentity {
  executor?: string;
  image?: string | null;
  nodeids?: string[];
  parallelism?: string;
  command?: string[] | null;
  pytestArgs?: string[];
  [key: string]: unknown;
}

/** The contents of sweep.json: what was run, so a later run can resume it or refuse to mix settings. */
export interface SweepRecord {
  version: 1;
  sweepId: string;
  name: string;
  createdAt: string;
  identity: SweepIdentity;
  imageId: string | null;
  /** Other settings as last used (timeouts, resources, tag…): informative, they may change between resumes. */
  settings: Record<string, unknown> & { tag?: string | null };
  taxonomy: string;
  /** The seed every per-iteration draw comes from (perturbations, test order, PYTHONHASHSEED); absent in sweeps from before. */
  seed?: string;
}

/** sweep.json of a sweep folder; null when there is none. A damaged one is a UsageError naming the file and the fix. */
export async function readSweepRecord(layout: SweepLayout): Promise<SweepRecord | null> {
  let record: SweepRecord | null;
  try {
    record = await readJsonIfExists<SweepRecord>(layout.sweepJson);
  } catch (error) {
    throw new UsageError(`${layout.sweepJson} is unreadable (${(error as Error).message}): move it aside or pick another --tag`);
  }
  if (record === null) return null;
  if (typeof record !== 'object' || typeof record.sweepId !== 'string') throw new UsageError(`${layout.sweepJson} is not a flakehunt sweep record: move it aside or pick another --tag`);
  return { ...record, identity: record.identity ?? {}, settings: record.settings ?? {} };
}
