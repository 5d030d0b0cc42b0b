import path from 'node:path';

import { isBaselineCounts } from '../core/baseline-counts.js';
import { comparabilityWarnings, sweepDifferences } from '../report/comparability.js';
import { sweepInfoOf } from '../report/sweep-summary.js';
import { SweepLayout } from '../store/layout.js';
import { readSweepRecord, type SweepRecord } from '../store/sweep-record.js';
import { identityOf, type SweepConfig, sweepDirOf } from '../sweep/sweep-config.js';

/**
 * What makes `--until-decided --baseline SWEEP` compare unlike things: the baseline ran other tests,
 * another parallelism, perturbation… (as `compare` would warn). Counts (13/50) carry no settings.
 */
export async function baselineWarnings(config: SweepConfig): Promise<string[]> {
  const decide = config.stop.decide;
  if (decide?.mode !== 'baseline' || isBaselineCounts(decide.baseline)) return [];
  const baseline = await readSweepRecord(new SweepLayout(path.resolve(decide.baseline))).catch(() => null);
  if (baseline === null) return [];
  const dir = sweepDirOf(config);
  const current = { identity: identityOf(config), imageId: null, settings: {} } as unknown as SweepRecord;
  // The question counts failed iterations, whatever their classes: the taxonomy does not matter here.
  const differences = sweepDifferences({ ...sweepInfoOf(decide.baseline, baseline), taxonomy: null }, { ...sweepInfoOf(dir, current), taxonomy: null });
  return comparabilityWarnings(differences).map((w) => `--baseline ${decide.baseline}: ${w}`);
}
