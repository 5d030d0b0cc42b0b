import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { Classification, Parallelism, RunnerMode } from '../classify/classification.js';
import { ClassifyPool } from '../classify/classify-pool.js';
import type { LogJob } from '../classify/classify-pool-protocol.js';
import { mapConcurrently } from '../core/map-concurrently.js';
import type { Taxonomy } from '../classify/taxonomy-types.js';
import { UsageError } from '../core/errors.js';
import type { IterationResult } from '../core/result.js';
import { writeJsonAtomic } from '../store/atomic-write.js';
import { parallelismOfFolderName, parseRunName, SweepLayout } from '../store/layout.js';
import { type CompromisedHandler, withLock } from '../store/locks.js';
import { readJsonIfExists } from '../store/read-json.js';
import { rewriteSweepFiles, type SummaryRenderer } from '../store/results-store.js';
import { readSweepRecord } from '../store/sweep-record.js';
import { classifiedResult } from './iteration-result.js';

/** result.json files written at once. */
const WRITES_AT_ONCE = 64;

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
  /** The containers' memory limit (--memory), for the OOM class's message. */
  memoryLimitBytes: number | null;
}

/** Reads parallelism from sweep.json, or from a seed-script folder name (`serial`, `n4`, `n4_fix8`). */
export async function sweepOrigin(layout: SweepLayout): Promise<SweepOrigin> {
  const record = await readSweepRecord(layout).catch(() => null);
  if (record !== null) {
    const { identity } = record;
    const memory = (record.settings.resources as { memoryBytes?: number | null } | undefined)?.memoryBytes ?? null;
    return { kind: 'flakehunt', parallelism: identity.parallelism ?? 'serial', mode: identity.command ? 'command' : 'pytest', memoryLimitBytes: memory };
  }
  const parallelism = parallelismOfFolderName(path.basename(layout.dir));
  if (parallelism === null) {
    throw new UsageError(`${layout.dir} has no sweep.json and its name does not say the parallelism (serial, n4, n4_fix8): rename it or run flakehunt run there first`);
  }
  return { kind: 'seed-script', parallelism, mode: 'pytest', memoryLimitBytes: null };
}

async function seedExitCode(runDir: string): Promise<number | null> {
  try {
    const n = Number((await readFile(path.join(runDir, '.exit_code'), 'utf8')).trim());
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** A new result for an iteration, and the result.json it replaces. */
interface Planned {
  next: IterationResult;
  previous: IterationResult | null;
}

/** The log to classify for an iteration, or null when it has no verdict to re-derive. */
async function jobFor(layout: SweepLayout, origin: SweepOrigin, iteration: number, previous: IterationResult | null): Promise<LogJob | null> {
  if (previous?.status === 'interrupted') return null;
  // A run whose container was lost has no verdict to re-derive: live and offline agree it is an error.
  if (previous?.status === 'error' && previous.exitCode === null && previous.killedBy === null) return null;
  const log = layout.consoleLog(iteration);
  if (!existsSync(log) || (previous === null && origin.kind === 'flakehunt')) return null;
  const exitCode = previous?.exitCode ?? (await seedExitCode(layout.runDir(iteration)));
  // A matrix cell may have its own parallelism.
  const parallelism: Parallelism = (previous?.conditions?.parallelism ?? origin.parallelism) === 'serial' ? 'serial' : 'xdist';
  const exit = {
    exitCode,
    killedBy: previous?.killedBy ?? null,
    oomKilled: previous?.oomKilled === true,
    memoryLimitBytes: previous?.conditions?.realized.memoryBytes ?? origin.memoryLimitBytes,
    signal: previous?.signal ?? null,
  };
  return { log, artifactsDir: layout.artifactsDir(iteration), parallelism, mode: origin.mode, exit };
}

async function resultOf(iteration: number, previous: IterationResult | null, job: LogJob, c: Classification): Promise<IterationResult> {
  // Only a seed-script folder (no result.json) takes its times from the log file.
  const logStat = previous === null ? await stat(job.log) : null;
  return classifiedResult({
    iteration,
    exitCode: job.exit.exitCode,
    killedBy: job.exit.killedBy,
    durationMs: previous?.durationMs ?? 0,
    startedAt: previous?.startedAt ?? logStat!.birthtime.toISOString(),
    finishedAt: previous?.finishedAt ?? logStat!.mtime.toISOString(),
    attempt: previous?.attempt ?? 1,
    host: previous?.host ?? os.hostname(),
    pid: previous?.pid ?? 0,
    imageId: previous?.imageId ?? null,
    conditions: previous?.conditions,
    ...(previous?.node === undefined ? {} : { node: previous.node }),
    ...(previous?.oomKilled === true ? { oomKilled: true as const } : {}),
    ...(previous?.signal === undefined ? {} : { signal: previous.signal }),
  }, c);
}

/**
 * Classifies the iterations' logs on a pool of worker threads and returns the results that
 * differ from their result.json. Logs go to the pool as they are found; results are taken in
 * iteration order.
 */
async function classifyIterations(layout: SweepLayout, origin: SweepOrigin, iterations: number[], taxonomy: Taxonomy): Promise<Planned[]> {
  const pool = new ClassifyPool(taxonomy, { jobs: iterations.length });
  try {
    const todo: Array<{ iteration: number; previous: IterationResult | null; job: LogJob; classification: Promise<Classification> }> = [];
    for (const iteration of iterations) {
      const previous = await readJsonIfExists<IterationResult>(layout.resultJson(iteration)).catch(() => null);
      const job = await jobFor(layout, origin, iteration, previous);
      if (job === null) continue;
      const classification = pool.classify(job);
      // Awaited below, in order; this keeps a failure not yet awaited from counting as unhandled.
      classification.catch(() => undefined);
      todo.push({ iteration, previous, job, classification });
    }
    const planned: Planned[] = [];
    for (const { iteration, previous, job, classification } of todo) {
      const next = await resultOf(iteration, previous, job, await classification);
      const same = previous !== null && previous.status === next.status && JSON.stringify(previous.failures) === JSON.stringify(next.failures) && previous.exitCodeMismatch === next.exitCodeMismatch;
      if (!same) planned.push({ next, previous });
    }
    return planned;
  } finally {
    await pool.close();
  }
}

/** Writes the new result.json files (a few at a time: their fsyncs then share journal commits); returns what changed. */
async function writeResults(layout: SweepLayout, planned: Planned[]): Promise<Reclassification[]> {
  const written = await mapConcurrently(planned, WRITES_AT_ONCE, async ({ next, previous }): Promise<Reclassification | null> => {
    // A sweep still running may have re-run this iteration meanwhile: its newer result stands.
    const current = await readJsonIfExists<IterationResult>(layout.resultJson(next.iteration)).catch(() => null);
    if ((current?.finishedAt ?? null) !== (previous?.finishedAt ?? null)) return null;
    await writeJsonAtomic(layout.resultJson(next.iteration), next);
    const before = previous === null ? null : { status: previous.status, classes: previous.classes };
    if (before === null || before.status !== next.status || before.classes.join() !== next.classes.join()) {
      return { iteration: next.iteration, before, after: { status: next.status, classes: next.classes } };
    }
    return null;
  });
  return written.filter((change): change is Reclassification => change !== null);
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
  const iterations = (await readdir(layout.dir)).map(parseRunName).filter((n): n is number => n !== null).sort((a, b) => a - b);
  if (iterations.length === 0) throw new UsageError(`${layout.dir} holds no runNNN folders: is it a sweep folder?`);
  // Classify without holding the sweep lock (it can take a while): running sweeps keep recording.
  const planned = await classifyIterations(layout, origin, iterations, taxonomy);
  return withLock(layout.sweepLock, onCompromised, async () => {
    const changes = await writeResults(layout, planned);
    const results = await rewriteSweepFiles(layout, render);
    return { origin, changes, results };
  });
}
