import { isVerdict, type IterationResult } from '../core/result.js';
import { runName } from '../store/layout.js';
import type { StopSettings } from './sweep-config.js';
import type { StopDecision } from './sweep-state.js';

/** What the stop policy remembers between iterations of one process. */
export interface PolicyState {
  consecutiveInfraErrors: number;
  /** Iterations that ended passed or failed so far. */
  verdicts: number;
}

export const INITIAL_POLICY_STATE: PolicyState = { consecutiveInfraErrors: 0, verdicts: 0 };

/** What the policy needs to know of a finished iteration. */
export interface PolicyOutcome {
  result: Pick<IterationResult, 'status' | 'note'>;
  infrastructure: boolean;
  collectionFailure: boolean;
  startupFailure?: { what: 'plugin' | 'conftest' | 'usage' | 'command' | 'pytest' } | null;
}

/** Where to look when pytest could not collect or start the tests. */
function collectionHint(outcome: PolicyOutcome): string {
  switch (outcome.startupFailure?.what) {
    case 'plugin':
    case 'usage':
      return 'check --pytest-args (and the plugins the image has)';
    case 'conftest':
      return 'check the suite\'s conftest.py (and --mount, --workdir)';
    case 'command':
      return 'check --command or --pytest-launcher: the program must exist in the image and be executable';
    default:
      // -k and -m expressions are pytest arguments; anything else that collects nothing is about where the tests are.
      return /Wrong expression passed to '-[km]'/.test(outcome.result.note ?? '') ? 'check the -k or -m expression in --pytest-args' : 'check --pytest-nodeid, --workdir and --mount';
  }
}

/** How many failing iterations stop the sweep (--until-fail is 1); null without a limit. */
export function failureLimit(settings: StopSettings): number | null {
  return settings.untilFail ? 1 : settings.maxFailures;
}

/** Whether recording this outcome may stop the sweep, so the next iteration must wait for it. */
export function mayStopSweep(settings: StopSettings, outcome: PolicyOutcome): boolean {
  if (outcome.infrastructure || outcome.collectionFailure || settings.decide !== null) return true;
  return (failureLimit(settings) !== null || settings.reproduce !== null) && outcome.result.status !== 'passed';
}

/** The results the policy counts, from every process of the sweep. */
export interface PolicyCounts {
  /** Failed iterations finished since this process started (for --until-fail and --max-failures). */
  failingSinceStart: Array<Pick<IterationResult, 'iteration'>>;
  /** Iterations that showed the hunted target, in the whole sweep. */
  reproductions: Array<Pick<IterationResult, 'iteration'>>;
  /** `--until-decided`: the answer of its sequential test so far, if it has one. */
  answer: { text: string; good: boolean } | null;
}

const runList = (results: Array<Pick<IterationResult, 'iteration'>>) =>
  results.slice(0, 5).map((r) => runName(r.iteration)).join(', ') + (results.length > 5 ? ', …' : '');

/**
 * The stop policy: after each recorded iteration, whether the sweep goes on. `limitReached` tells
 * the caller to write stop.json, so every process of the sweep obeys.
 */
export function judgeOutcome(
  settings: StopSettings,
  state: PolicyState,
  outcome: PolicyOutcome,
  counts: PolicyCounts,
): { state: PolicyState; stop: StopDecision | null; limitReached: boolean } {
  const { result } = outcome;
  const infraError = outcome.infrastructure && result.status === 'error';
  const next: PolicyState = {
    consecutiveInfraErrors: infraError ? state.consecutiveInfraErrors + 1 : 0,
    verdicts: state.verdicts + (isVerdict(result) ? 1 : 0),
  };
  if (infraError && next.consecutiveInfraErrors >= settings.maxConsecutiveInfraErrors) {
    const reason = `${next.consecutiveInfraErrors} iterations in a row could not run (last: ${result.note}); fix the infrastructure and run the same command again to resume`;
    return { state: next, stop: { kind: 'environment', reason }, limitReached: false };
  }
  if (outcome.collectionFailure && state.verdicts === 0) {
    return { state: next, stop: { kind: 'collection', reason: `${result.note}; ${collectionHint(outcome)}` }, limitReached: false };
  }
  const limit = failureLimit(settings);
  const failing = counts.failingSinceStart;
  if (limit !== null && failing.length >= limit) {
    const reason = `${failing.length} failing iteration(s) (${runList(failing)}) reached ${settings.untilFail ? '--until-fail' : `--max-failures ${limit}`}`;
    return { state: next, stop: { kind: 'limit', reason }, limitReached: true };
  }
  if (counts.answer !== null) return { state: next, stop: { kind: 'decided', reason: counts.answer.text, good: counts.answer.good }, limitReached: true };
  const wanted = settings.reproduce?.count ?? null;
  const reproduced = reproducedStop(settings, counts.reproductions);
  if (reproduced !== null) return { state: next, stop: reproduced, limitReached: true };
  return { state: next, stop: null, limitReached: false };
}

/** A hunt's stop once its target showed as often as --reproductions asks; null before. */
function reproducedStop(settings: StopSettings, reproductions: Array<Pick<IterationResult, 'iteration'>>): StopDecision | null {
  const wanted = settings.reproduce?.count ?? null;
  if (wanted === null || reproductions.length < wanted) return null;
  return { kind: 'reproduced', reason: `the target was reproduced ${reproductions.length} time(s) (${runList(reproductions)}), as --reproductions ${wanted} asks` };
}

/**
 * Whether a sweep resumed with the results it has is already done: its --until-decided question
 * answered, or its hunt's target reproduced often enough. It then stops before starting anything.
 */
export function stopBeforeStart(settings: StopSettings, counts: Pick<PolicyCounts, 'reproductions' | 'answer'>): StopDecision | null {
  if (counts.answer !== null) return { kind: 'decided', reason: counts.answer.text, good: counts.answer.good };
  return reproducedStop(settings, counts.reproductions);
}
