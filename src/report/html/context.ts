import path from 'node:path';

import type { IterationResult } from '../../core/result.js';
import { SweepLayout } from '../../store/layout.js';
import type { SweepSummary } from '../summary-types.js';

/** What every section of one sweep needs: the summary, its place in the report, and links to run logs. */
export interface SweepContext {
  summary: SweepSummary;
  /** 1-based position of the sweep in the report; suffixes the section ids (`outcome-strip-1`). */
  index: number;
  /** Relative link from the report's folder to an iteration's run.log, with forward slashes. */
  logHref(iteration: number): string;
  /** An iteration's classes in report order (taxonomy order, UNCLASSIFIED last). */
  classesOf(result: IterationResult): string[];
}

/** A relative URL from `fromDir` to `target`, forward slashes, each segment percent-encoded. */
export function relativeHref(fromDir: string, target: string): string {
  return path.relative(fromDir, target).split(path.sep).map(encodeURIComponent).join('/');
}

export function sweepContext(summary: SweepSummary, index: number, reportDir: string): SweepContext {
  const layout = new SweepLayout(summary.info.dir);
  const order = new Map(summary.classes.map((c, i) => [c.id, i]));
  const rank = (id: string): number => order.get(id) ?? order.size;
  return {
    summary,
    index,
    logHref: (iteration) => relativeHref(reportDir, layout.consoleLog(iteration)),
    classesOf: (r) =>
      [...new Set([...r.classes, ...r.failures.map((f) => f.class)])].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0)),
  };
}
