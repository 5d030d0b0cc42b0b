// The sequential decisions of `run --until-decided` and the figures `plan` prints beside the fixed plan.
// "Is it fixed?" (a target rate) is in sequential-target.ts, "is it better than before?" (a baseline sweep)
// in sequential-baseline.ts, the exact operating characteristics both rest on in sequential-oc.ts.
//
// A decision is valid only for the counted iterations in iteration order: call decide() with the failures
// among the first n counted iterations (no gaps), after every n, and stop at the first answer that is not
// 'continue'. Results that arrive out of order (parallel jobs, where clean runs tend to finish first) must
// wait until the iterations before them are in.

import { decideBaseline, type BaselineDecision, type BaselineTestPlan } from './sequential-baseline.js';
import { operatingCharacteristics, worstCaseIterations, type OperatingCharacteristics } from './sequential-oc.js';
import { decideTarget, type TargetDecision, type TargetTestPlan } from './sequential-target.js';

export type SequentialPlan = TargetTestPlan | BaselineTestPlan;

export function decide(plan: TargetTestPlan, failures: number, iterations: number): TargetDecision;
export function decide(plan: BaselineTestPlan, failures: number, iterations: number): BaselineDecision;
export function decide(plan: SequentialPlan, failures: number, iterations: number): TargetDecision | BaselineDecision;
export function decide(plan: SequentialPlan, failures: number, iterations: number): TargetDecision | BaselineDecision {
  return plan.mode === 'target' ? decideTarget(plan, failures, iterations) : decideBaseline(plan, failures, iterations);
}

export interface SequentialPlanSummary {
  mode: 'target' | 'baseline';
  /** The rate the question is about: the target, or the baseline's observed rate. */
  referenceRate: number;
  alpha: number;
  power: number;
  powerRate: number;
  /** Probability of a wrong "fixed" / "better": exact at the target; for a baseline the bound over every common rate. */
  typeIError: number;
  /** Exact probability of "fixed" / "better" at powerRate. */
  powerAtPowerRate: number;
  /** Iterations for a suite that never fails. */
  cleanRunsToDecide: number;
  /**
   * The fixed plan it replaces: for a target, cleanRunsNeeded (clean runs at 1 − alpha confidence); for a
   * baseline, runsToDistinguish per sweep at the same one-sided alpha and power at powerRate.
   */
  fixedPlanIterations: number | null;
  worstCaseIterations: number;
  /** Probability of each answer and expected iterations at each named rate (fixed/better is "low"). */
  rates: OperatingCharacteristics[];
}

/** The sequential plan's figures at the named rates (default: never failing, powerRate and the reference rate). */
export function sequentialPlanSummary(plan: SequentialPlan, rates?: readonly number[]): SequentialPlanSummary {
  const referenceRate = plan.mode === 'target' ? plan.targetRate : plan.baselineRate;
  const named = rates ?? [0, plan.powerRate, referenceRate];
  return {
    mode: plan.mode,
    referenceRate,
    alpha: plan.alpha,
    power: plan.power,
    powerRate: plan.powerRate,
    typeIError: plan.mode === 'target' ? plan.typeIError : plan.typeIErrorBound,
    powerAtPowerRate: plan.powerAtPowerRate,
    cleanRunsToDecide: plan.cleanRunsToDecide,
    fixedPlanIterations: plan.mode === 'target' ? plan.fixedPlanCleanRuns : plan.fixedPlanIterations,
    worstCaseIterations: worstCaseIterations(plan.boundaries),
    rates: named.map((rate) => operatingCharacteristics(plan.boundaries, rate)),
  };
}
