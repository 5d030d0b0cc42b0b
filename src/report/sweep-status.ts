import path from 'node:path';

import { countByStatus, isVerdict } from '../core/result.js';
import { type ClaimInfo, readClaims } from '../store/claims.js';
import { SweepLayout } from '../store/layout.js';
import { isOwnerAlive } from '../store/process-identity.js';
import { type ProcessFile, readProcessFiles } from '../store/process-files.js';
import { readAllResults } from '../store/results-store.js';
import { requireSweepFolder } from '../store/sweep-folder.js';
import { type RegimeShift, regimeShift } from './trend-summary.js';

export interface RunningIterationStatus {
  iteration: number;
  host: string;
  pid: number;
  runner: string | null;
  sinceMs: number;
  /** The owner is gone: a re-run (or another process) will take it over. */
  stale: boolean;
}

/** What a sweep is doing, read from its files alone (any process, any host sharing the folder). */
export interface SweepStatus {
  dir: string;
  finished: number;
  passed: number;
  failed: number;
  errors: number;
  interrupted: number;
  byClass: Record<string, number>;
  running: RunningIterationStatus[];
  /** Claimed by a live process that has not started them yet: prepared while the one before runs. */
  upNext: RunningIterationStatus[];
  processes: Array<ProcessFile & { alive: boolean | 'unknown' }>;
  /** Iterations in the processes' ranges that are neither finished nor running; null when no process is known. */
  left: number | null;
  etaMs: number | null;
  /** A change of the failure rate along the iterations, when there is a significant one. */
  shift: RegimeShift | null;
}

export async function readSweepStatus(dir: string, now = Date.now()): Promise<SweepStatus> {
  const layout = new SweepLayout(path.resolve(dir));
  requireSweepFolder(layout);
  const results = await readAllResults(layout);
  const claims: ClaimInfo[] = await readClaims(layout);
  const processes = (await readProcessFiles(layout)).map((p) => ({ ...p, alive: isOwnerAlive(p.owner) }));
  const byClass: Record<string, number> = {};
  for (const r of results) for (const c of r.classes) byClass[c] = (byClass[c] ?? 0) + 1;
  const claimed = claims
    .map((c) => ({ iteration: c.iteration, host: c.owner.host, pid: c.owner.pid, runner: c.runner, sinceMs: now - Date.parse(c.startedAt ?? c.claimedAt), stale: isOwnerAlive(c.owner) === false }))
    .sort((a, b) => a.iteration - b.iteration);
  const running = claimed.filter((c) => c.runner !== null || c.stale);
  const upNext = claimed.filter((c) => c.runner === null && !c.stale);
  const finishedSet = new Set(results.filter(isVerdict).map((r) => r.iteration));
  const runningSet = new Set(running.filter((r) => !r.stale).map((r) => r.iteration));
  const livingProcesses = processes.filter((p) => p.alive !== false);
  let left: number | null = null;
  if (processes.length > 0) {
    const wanted = new Set<number>();
    for (const p of livingProcesses.length > 0 ? livingProcesses : processes) for (let i = p.start; i <= p.end; i += 1) wanted.add(i);
    left = [...wanted].filter((i) => !finishedSet.has(i) && !runningSet.has(i)).length;
  }
  const recent = results.filter(isVerdict).slice(-20);
  const meanMs = recent.length === 0 ? null : recent.reduce((sum, r) => sum + r.durationMs, 0) / recent.length;
  const slots = Math.max(1, livingProcesses.reduce((sum, p) => sum + p.jobs, 0));
  // With no process alive, nothing will finish: no time left to give.
  const etaMs = left === null || meanMs === null || livingProcesses.length === 0 ? null : ((left + runningSet.size) * meanMs) / slots;
  const byStatus = countByStatus(results);
  return {
    dir: layout.dir,
    finished: finishedSet.size,
    passed: byStatus.passed,
    failed: byStatus.failed,
    errors: byStatus.error,
    interrupted: byStatus.interrupted,
    byClass,
    running,
    upNext,
    processes,
    left,
    etaMs,
    shift: regimeShift(results.filter(isVerdict)),
  };
}
