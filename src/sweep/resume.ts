import { isVerdict, type IterationResult } from '../core/result.js';
import type { Schedule } from './sweep-config.js';

/** Whether an iteration needs no run: it has a verdict, and `--force` did not ask for a new one this invocation. */
export function isDone(result: IterationResult | null, force: boolean, invocationStart: number): boolean {
  if (result === null || !isVerdict(result)) return false;
  return !(force && Date.parse(result.finishedAt) < invocationStart);
}

/** The iterations of the range still to run, given what the sweep folder holds. */
export function planIterations(schedule: Schedule, existing: IterationResult[], invocationStart: number): { planned: number[]; finished: number[] } {
  const byIteration = new Map(existing.map((r) => [r.iteration, r]));
  const planned: number[] = [];
  const finished: number[] = [];
  for (let i = schedule.start; i <= schedule.end; i += 1) {
    if (isDone(byIteration.get(i) ?? null, schedule.force, invocationStart)) finished.push(i);
    else planned.push(i);
  }
  return { planned, finished };
}
