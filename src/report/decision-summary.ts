import { failedInOrder, type IterationResult } from '../core/result.js';
import { describeAnswer, firstAnswer, planOf, type SequentialQuestion } from '../stats/sequential-question.js';
import { sequentialPlanSummary } from '../stats/sequential.js';

/** What `--until-decided` found, for the summary: the answer after how many, or how far it got. */
export interface DecisionSummary {
  question: SequentialQuestion;
  /** The answer in words, or null while the test says "continue". */
  answer: string | null;
  good: boolean | null;
  /** Iterations (in order, no gaps) the answer took, or those looked at so far. */
  iterations: number;
  failures: number;
  /** What the fixed plan would need (clean runs for a target, iterations per sweep for a baseline). */
  fixedPlanIterations: number | null;
  cleanRunsToDecide: number;
  worstCaseIterations: number;
  powerRate: number;
}

export function summarizeDecision(results: IterationResult[], question: SequentialQuestion): DecisionSummary {
  const plan = planOf(question);
  const figures = sequentialPlanSummary(plan, []);
  const from = results.length === 0 ? 1 : Math.min(...results.map((r) => r.iteration));
  const outcomes = failedInOrder(results, from);
  const found = firstAnswer(plan, outcomes);
  const base = { question, fixedPlanIterations: figures.fixedPlanIterations, cleanRunsToDecide: figures.cleanRunsToDecide, worstCaseIterations: figures.worstCaseIterations, powerRate: figures.powerRate };
  if (found === null) return { ...base, answer: null, good: null, iterations: outcomes.length, failures: outcomes.filter(Boolean).length };
  return { ...base, answer: describeAnswer(question, found.answer), good: found.answer === 'fixed' || found.answer === 'better', iterations: found.after, failures: found.failures };
}
