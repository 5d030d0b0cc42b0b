import path from 'node:path';

import type { Taxonomy } from '../classify/taxonomy-types.js';
import type { IterationResult } from '../core/result.js';
import { summarize } from '../report/summarize.js';
import { renderSummaryText } from '../report/summary-text.js';
import type { SweepInfo, SweepSummary } from '../report/summary-types.js';
import type { SummaryRenderer } from '../store/results-store.js';
import type { SweepConfig } from './sweep-config.js';

export function sweepInfo(dir: string, config: Pick<SweepConfig, 'image' | 'parallelism' | 'tag' | 'nodeids'>): SweepInfo {
  return { dir, name: path.basename(dir), image: config.image, parallelism: config.parallelism, tag: config.tag, nodeids: config.nodeids };
}

export function summaryOf(results: IterationResult[], info: SweepInfo, taxonomy: Taxonomy, excludeInfrastructure = false): SweepSummary {
  const rules = taxonomy.rules.map(({ id, title, kind }) => ({ id, title, kind }));
  return summarize(results, info, rules, { excludeInfrastructure });
}

/** What summary.txt holds for this sweep. */
export function summaryRenderer(info: SweepInfo, taxonomy: Taxonomy): SummaryRenderer {
  return (results) => renderSummaryText(summaryOf(results, info, taxonomy));
}
