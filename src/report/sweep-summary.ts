import path from 'node:path';

import type { Taxonomy } from '../classify/taxonomy-types.js';
import type { HuntTarget } from '../core/hunt-target.js';
import type { IterationResult } from '../core/result.js';
import { parallelismOfFolderName } from '../store/layout.js';
import type { SummaryRenderer } from '../store/results-store.js';
import type { SweepRecord } from '../store/sweep-record.js';
import { summarize } from './summarize.js';
import { renderHuntText } from './hunt-text.js';
import { huntNextOf } from './hunt-verdict.js';
import { renderSummaryText } from './summary-text.js';
import type { SweepInfo, SweepSummary } from './summary-types.js';

/**
 * What a summary says about the sweep itself, from its folder and sweep.json. A folder of the seed
 * script has no sweep.json: its name gives the parallelism (`serial`, `n4_fix8`).
 */
export function sweepInfoOf(dir: string, record: SweepRecord | null): SweepInfo {
  const name = path.basename(dir);
  const identity = record?.identity ?? {};
  return {
    dir,
    name,
    image: identity.image ?? null,
    parallelism: identity.parallelism ?? parallelismOfFolderName(name) ?? name,
    tag: record?.settings.tag ?? null,
    nodeids: identity.nodeids ?? [],
    decision: (record?.settings.decision as SweepInfo['decision'] | undefined) ?? null,
    command: identity.command ?? null,
    pytestArgs: identity.pytestArgs ?? [],
    imageId: record?.imageId ?? null,
    perturbation: (identity.perturbation as string | null | undefined) ?? null,
    matrix: (identity.matrix as string[] | null | undefined) ?? null,
    taxonomy: record?.taxonomy ?? null,
    mounts: (identity.mounts as string[] | undefined) ?? [],
    workdir: (identity.workdir as string | null | undefined) ?? null,
    hunt: (identity.hunt as HuntTarget | null | undefined) ?? null,
  };
}

export function summaryOf(results: IterationResult[], info: SweepInfo, taxonomy: Taxonomy, excludeInfrastructure = false): SweepSummary {
  const rules = taxonomy.rules.map(({ id, title, kind }) => ({ id, title, kind }));
  return summarize(results, info, rules, { excludeInfrastructure });
}

/** What summary.txt holds for a sweep; a hunt's answer too, so it outlives the terminal. */
export function summaryRenderer(info: SweepInfo, taxonomy: Taxonomy): SummaryRenderer {
  return (results) => {
    const summary = summaryOf(results, info, taxonomy);
    const text = renderSummaryText(summary);
    return summary.hunt === null ? text : `${text}\n${renderHuntText(summary.hunt, huntNextOf(summary))}`;
  };
}

