import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { UsageError } from '../core/errors.js';
import type { IterationResult } from '../core/result.js';
import { writeJsonAtomic } from '../store/atomic-write.js';
import { parseRunName, SweepLayout } from '../store/layout.js';
import { type CompromisedHandler, withLock } from '../store/locks.js';
import { readJsonIfExists } from '../store/read-json.js';
import { rewriteSweepFiles, type SummaryRenderer } from '../store/results-store.js';
import type { SweepRecord } from '../sweep/sweep-record.js';
import type { Parallelism, RunnerMode } from './classification.js';
import { classifyLog } from './classify-log.js';
import type { Taxonomy } from './taxonomy-types.js';

/** One iteration whose classification changed. */
export interface Reclassification {
  iteration: number;
  before: { status: string; classes: string[] } | null;
  after: { status: string; classes: string[] };
}

/** What kind of folder this is and how its runs were made. */
export interface SweepOrigin {
  kind: 'flakehunt' | 'seed-script';
  parallelism: string;
  mode: RunnerMode;
}

/** Reads parallelism from sweep.json, or from a seed-script folder name (`serial`, `n4`, `n4_fix8`). */
export async function sweepOrigin(layout: SweepLayout): Promise<SweepOrigin> {
  const record = await readJsonIfExists<SweepRecord>(layout.sweepJson).catch(() => null);
  if (record !== null) {
    const identity = record.identity as { parallelism?: string; command?: unknown };
    return { kind: 'flakehunt', parallelism: identity.parallelism ?? 'serial', mode: identity.command ? 'command' : 'pytest' };
  }
  const m = /^(serial|n(\d+))(?:_.*)?$/.exec(path.basename(layout.dir));
  if (!m) {
    throw new UsageError(`${layout.dir} has no sweep.json and its name does not say the parallelism (serial, n4, n4_fix8): rename it or run flakehunt run there first`);
  }
  return { kind: 'seed-script', parallelism: m[2] ?? 'serial', mode: 'pytest' };
}

async function seedExitCode(runDir: string): Promise<number | null> {
  try {
    const n = Number((await readFile(path.join(runDir, '.exit_code'), 'utf8')).trim());
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/**
 * Re-classifies every finished iteration of a sweep folder from its logs alone and rewrites
 * result.json, results.txt, results.jsonl and summary.txt. Nothing else is touched or deleted.
 */
export async function reclassifySweep(
  dir: string,
  taxonomy: Taxonomy,
  render: SummaryRenderer,
  onCompromised: CompromisedHandler,
): Promise<{ origin: SweepOrigin; changes: Reclassification[]; results: IterationResult[] }> {
  const layout = new SweepLayout(path.resolve(dir));
  if (!existsSync(layout.dir)) throw new UsageError(`${layout.dir} does not exist: give a sweep folder such as logs/serial_fix13`);
  const origin = await sweepOrigin(layout);
  const parallelism: Parallelism = origin.parallelism === 'serial' ? 'serial' : 'xdist';
  const iterations = (await readdir(layout.dir)).map(parseRunName).filter((n): n is number => n !== null).sort((a, b) => a - b);
  if (iterations.length === 0) throw new UsageError(`${layout.dir} holds no runNNN folders: is it a sweep folder?`);
  // Classify without holding the sweep lock (it can take a while): running sweeps keep recording.
  const planned: Array<{ next: IterationResult; previous: IterationResult | null }> = [];
  for (const iteration of iterations) {
    const previous = await readJsonIfExists<IterationResult>(layout.resultJson(iteration)).catch(() => null);
    if (previous?.status === 'interrupted') continue;
    // A run whose container was lost has no verdict to re-derive: live and offline agree it is an error.
    if (previous?.status === 'error' && previous.exitCode === null && previous.killedBy === null) continue;
    const log = layout.consoleLog(iteration);
    if (!existsSync(log) || (previous === null && origin.kind === 'flakehunt')) continue;
    const exitCode = previous?.exitCode ?? (await seedExitCode(layout.runDir(iteration)));
    const killedBy = previous?.killedBy ?? null;
    const c = await classifyLog({ log, artifactsDir: layout.artifactsDir(iteration), taxonomy, parallelism, mode: origin.mode, exit: { exitCode, killedBy } });
    const logStat = await stat(log);
    const next: IterationResult = {
      iteration,
      status: c.status,
      exitCode,
      durationMs: previous?.durationMs ?? 0,
      classes: c.classes,
      failures: c.failures,
      killedBy,
      exitCodeMismatch: c.exitCodeMismatch,
      tests: c.tests,
      startedAt: previous?.startedAt ?? logStat.birthtime.toISOString(),
      finishedAt: previous?.finishedAt ?? logStat.mtime.toISOString(),
      attempt: previous?.attempt ?? 1,
      host: previous?.host ?? os.hostname(),
      pid: previous?.pid ?? 0,
      imageId: previous?.imageId ?? null,
      note: c.note,
    };
    const same = previous !== null && previous.status === next.status && JSON.stringify(previous.failures) === JSON.stringify(next.failures) && previous.exitCodeMismatch === next.exitCodeMismatch;
    if (!same) planned.push({ next, previous });
  }
  return withLock(layout.sweepLock, onCompromised, async () => {
    const changes: Reclassification[] = [];
    for (const { next, previous } of planned) {
      // A sweep still running may have re-run this iteration meanwhile: its newer result stands.
      const current = await readJsonIfExists<IterationResult>(layout.resultJson(next.iteration)).catch(() => null);
      if ((current?.finishedAt ?? null) !== (previous?.finishedAt ?? null)) continue;
      await writeJsonAtomic(layout.resultJson(next.iteration), next);
      const before = previous === null ? null : { status: previous.status, classes: previous.classes };
      if (before === null || before.status !== next.status || before.classes.join() !== next.classes.join()) {
        changes.push({ iteration: next.iteration, before, after: { status: next.status, classes: next.classes } });
      }
    }
    const results = await rewriteSweepFiles(layout, render);
    return { origin, changes, results };
  });
}
