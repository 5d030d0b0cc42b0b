import type { Classification } from './classification.js';
import type { ClassifyLogInput } from './classify-log.js';
import type { Taxonomy, TaxonomySpec } from './taxonomy-types.js';

/** One log to classify: everything classifyLog needs except the taxonomy, which a worker gets once. */
export type LogJob = Omit<ClassifyLogInput, 'taxonomy'>;

/** What a worker is started with: the taxonomy as written (it compiles the patterns again with compileTaxonomy). */
export interface WorkerStart {
  taxonomy: TaxonomySpec;
  source: string;
}

/** A compiled taxonomy back in the form a worker can be sent (RegExps do not cross threads); the worker adds the generic layer again. */
export function workerStart(taxonomy: Taxonomy): WorkerStart {
  return { taxonomy: taxonomy.spec, source: taxonomy.source };
}

export interface JobMessage {
  id: number;
  job: LogJob;
}

/** A worker's answer; on failure the job is redone in the main thread, which then has the real error. */
export type ResultMessage = { id: number; ok: true; result: Classification } | { id: number; ok: false };
