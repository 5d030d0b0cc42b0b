import type { SwarmTask } from './swarm-types.js';

/** States after which a task never runs again (a replicated task with restart condition none is never replaced). */
const TERMINAL = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

export function isTerminal(task: SwarmTask): boolean {
  return TERMINAL.has(task.Status.State);
}

/**
 * Whether the task ended without a container ever running. Then ContainerStatus.ExitCode is
 * 0 (not absent, as the CLI's JSON suggests), so it must not be read as an exit code.
 */
export function neverStarted(task: SwarmTask): boolean {
  return task.Status.State === 'rejected' || !task.Status.ContainerStatus?.ContainerID;
}

/** The exit code of a finished task (-1 while it is being stopped; meaningless before it is terminal). */
export function exitCodeOf(task: SwarmTask): number | null {
  if (!isTerminal(task) || neverStarted(task)) return null;
  const code = task.Status.ContainerStatus?.ExitCode;
  return typeof code === 'number' && code >= 0 ? code : null;
}

/** The task's own words on what went wrong, or how far it got. */
export function taskProblem(task: SwarmTask): string {
  return task.Status.Err ?? task.Status.Message ?? task.Status.State;
}
