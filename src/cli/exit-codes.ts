import { ExitCode } from '../core/errors.js';
import type { SweepOutcome } from '../sweep/sweep-runner.js';
import type { StopKind } from '../sweep/sweep-state.js';
import type { Schedule } from '../sweep/sweep-config.js';

const BY_STOP: Partial<Record<StopKind, number>> = {
  interrupted: ExitCode.interrupted,
  environment: ExitCode.environment,
  collection: ExitCode.usage,
};

/** `run`'s exit code (the README's table): how it stopped, else whether every iteration of the range passed. */
export function sweepExitCode(outcome: SweepOutcome, schedule: Pick<Schedule, 'start' | 'end'>): number {
  const byStop = outcome.stop === null ? undefined : BY_STOP[outcome.stop.kind];
  if (byStop !== undefined) return byStop;
  // --until-decided: 0 for the hoped-for answer (fixed, better), 1 for the other.
  if (outcome.stop?.kind === 'decided') return outcome.stop.good === true ? ExitCode.ok : ExitCode.failures;
  // A hunt that ends early has no range to complete: it says whether a failure was seen.
  if (outcome.stop?.kind === 'reproduced' || outcome.stop?.kind === 'budget') {
    return outcome.results.some((r) => r.status === 'failed') ? ExitCode.failures : ExitCode.ok;
  }
  const inRange = outcome.results.filter((r) => r.iteration >= schedule.start && r.iteration <= schedule.end);
  const allPassed = inRange.length === schedule.end - schedule.start + 1 && inRange.every((r) => r.status === 'passed');
  return allPassed ? ExitCode.ok : ExitCode.failures;
}

/**
 * `hunt`'s exit code: how it stopped when that decides (interrupted, environment, collection),
 * else whether it reproduced its target: 1 if it did, 0 if not, whatever else failed (the summary
 * lists it), so a script can tell the two answers apart.
 */
export function huntExitCode(outcome: SweepOutcome, reproduced: boolean): number {
  const byStop = outcome.stop === null ? undefined : BY_STOP[outcome.stop.kind];
  if (byStop !== undefined) return byStop;
  return reproduced ? ExitCode.failures : ExitCode.ok;
}
