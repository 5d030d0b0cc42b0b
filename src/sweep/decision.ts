import path from 'node:path';

import { isBaselineCounts, parseBaselineCounts } from '../core/baseline-counts.js';
import { UsageError } from '../core/errors.js';
import { isVerdict } from '../core/result.js';
import type { SequentialPlan } from '../stats/sequential.js';
import { planOf, type SequentialQuestion } from '../stats/sequential-question.js';
import { SweepLayout } from '../store/layout.js';
import { readAllResults } from '../store/results-store.js';
import type { DecisionRequest } from './sweep-config.js';

/** A finished baseline sweep's failed and counted iterations. */
async function sweepCounts(dir: string): Promise<{ failures: number; iterations: number }> {
  const results = (await readAllResults(new SweepLayout(dir))).filter(isVerdict);
  if (results.length === 0) throw new UsageError(`--baseline ${dir} has no finished iterations: give the sweep folder of the run before the fix, or its counts (13/50)`);
  return { failures: results.filter((r) => r.status === 'failed').length, iterations: results.length };
}

/** The question of `--until-decided` with what it needs from the baseline sweep (its counted iterations), and its plan. */
export async function resolveDecision(request: DecisionRequest): Promise<{ question: SequentialQuestion; plan: SequentialPlan }> {
  let question: SequentialQuestion;
  if (request.mode === 'target') {
    question = request;
  } else {
    const counts = parseBaselineCounts(request.baseline) ?? (await sweepCounts(request.baseline));
    question = { mode: 'baseline', baselineFailures: counts.failures, baselineIterations: counts.iterations, baseline: isBaselineCounts(request.baseline) ? request.baseline : path.resolve(request.baseline), alpha: request.alpha, power: request.power };
  }
  try {
    return { question, plan: planOf(question) };
  } catch (error) {
    // The plan refuses questions no number of iterations can answer (a baseline that never failed…).
    throw new UsageError(`--until-decided: ${(error as Error).message}`);
  }
}
