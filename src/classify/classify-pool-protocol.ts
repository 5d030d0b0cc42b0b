import type { Classification } from './classification.js';
import type { ClassifyLogInput } from './classify-log.js';
import type { Taxonomy, TaxonomyRuleSpec } from './taxonomy-types.js';

/** One log to classify: everything classifyLog needs except the taxonomy, which a worker gets once. */
export type LogJob = Omit<ClassifyLogInput, 'taxonomy'>;

/** A taxonomy as structured clone can pass it: each RegExp as its source and flags. */
export interface TaxonomyData {
  name: string;
  source: string;
  rules: Array<TaxonomyRuleSpec & { regexes: Array<{ source: string; flags: string }> }>;
}

export interface JobMessage {
  id: number;
  job: LogJob;
}

/** A worker's answer; on failure the job is redone in the main thread, which then has the real error. */
export type ResultMessage = { id: number; ok: true; result: Classification } | { id: number; ok: false };

export function taxonomyToData(taxonomy: Taxonomy): TaxonomyData {
  return {
    name: taxonomy.name,
    source: taxonomy.source,
    rules: taxonomy.rules.map((rule) => ({ ...rule, regexes: rule.regexes.map((regex) => ({ source: regex.source, flags: regex.flags })) })),
  };
}

export function taxonomyFromData(data: TaxonomyData): Taxonomy {
  return {
    name: data.name,
    source: data.source,
    rules: data.rules.map((rule) => ({ ...rule, regexes: rule.regexes.map((regex) => new RegExp(regex.source, regex.flags)) })),
  };
}
