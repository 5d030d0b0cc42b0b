import type { ProcessIdentity } from '../store/process-identity.js';

/** Every container flakehunt creates carries these labels, so leftovers can be found and reaped. */
export const TOOL_LABEL = 'dev.flakehunt';
export const SWEEP_LABEL = 'dev.flakehunt.sweep';
export const ITERATION_LABEL = 'dev.flakehunt.iteration';
const OWNER_HOST = 'dev.flakehunt.owner.host';
const OWNER_PID = 'dev.flakehunt.owner.pid';
const OWNER_START = 'dev.flakehunt.owner.start';
export const DIR_LABEL = 'dev.flakehunt.dir';

/** The labels of an iteration's container. */
export function iterationLabels(sweepId: string, iteration: number, sweepDir: string, owner: ProcessIdentity): Record<string, string> {
  return {
    [TOOL_LABEL]: '1',
    [SWEEP_LABEL]: sweepId,
    [ITERATION_LABEL]: String(iteration),
    [DIR_LABEL]: sweepDir,
    [OWNER_HOST]: owner.host,
    [OWNER_PID]: String(owner.pid),
    [OWNER_START]: owner.startTime ?? '',
  };
}

/** Who started a container, from its labels; null when they are missing. */
export function ownerOfLabels(labels: Record<string, string> | undefined): ProcessIdentity | null {
  const host = labels?.[OWNER_HOST];
  const pid = Number(labels?.[OWNER_PID]);
  if (host === undefined || !Number.isInteger(pid) || pid <= 0) return null;
  const start = labels?.[OWNER_START];
  return { host, pid, startTime: start === undefined || start === '' ? null : start };
}
