import { decide, type SequentialPlan } from './sequential.js';
import { planBaselineTest } from './sequential-baseline.js';
import { planTargetTest } from './sequential-target.js';

/**
 * What `run --until-decided` asks, as kept in sweep.json: "is the rate below a target?" or "is it
 * below a finished baseline's?", with the error rates. The plan is derived from it, the same in
 * every process and every summary.
 */
export type SequentialQuestion =
  | { mode: 'target'; targetRate: number; alpha: number; power: number }
  | { mode: 'baseline'; baselineFailures: number; baselineIterations: number; baseline: string; alpha: number; power: number };

const plans = new Map<string, SequentialPlan>();

/** The plan of a question; made once per process (a baseline's calibration takes a fraction of a second). */
export function planOf(question: SequentialQuestion): SequentialPlan {
  const key = JSON.stringify(question);
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = question.mode === 'target'
      ? planTargetTest({ targetRate: question.targetRate, alpha: question.alpha, power: question.power })
      : planBaselineTest({ baselineFailures: question.baselineFailures, baselineIterations: question.baselineIterations, alpha: question.alpha, power: question.power });
    plans.set(key, plan);
  }
  return plan;
}

export type Answer = 'fixed' | 'not-fixed' | 'better' | 'not-better';

/**
 * The first answer the plan gives along the outcomes (failed or not) of the counted iterations in
 * iteration order, and after how many; null while it says "continue". The outcomes must have no
 * gaps: an iteration still running makes the later ones wait.
 */
export function firstAnswer(plan: SequentialPlan, failedInOrder: readonly boolean[]): { answer: Answer; after: number; failures: number } | null {
  let failures = 0;
  for (const [index, failed] of failedInOrder.entries()) {
    if (failed) failures += 1;
    const decision = decide(plan, failures, index + 1);
    if (decision !== 'continue') return { answer: decision, after: index + 1, failures };
  }
  return null;
}

const percent = (rate: number) => `${Number((rate * 100).toFixed(2))}%`;

/** The answer in words: `below 3% (fixed)`, `not shown below 3%`, `better than the baseline's 26% (13/50)`. */
export function describeAnswer(question: SequentialQuestion, answer: Answer): string {
  if (question.mode === 'target') {
    return answer === 'fixed' ? `below ${percent(question.targetRate)}: fixed` : `not shown below ${percent(question.targetRate)}: not fixed`;
  }
  const base = `the baseline's ${percent(question.baselineFailures / question.baselineIterations)} (${question.baselineFailures}/${question.baselineIterations})`;
  return answer === 'better' ? `better than ${base}` : `not shown better than ${base}`;
}
