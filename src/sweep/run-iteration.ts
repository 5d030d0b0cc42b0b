import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

import type { Classification, StartupFailure } from '../classify/classification.js';
import { classifyLog, readPluginEvents } from '../classify/classify-log.js';
import type { Taxonomy } from '../classify/taxonomy-types.js';
import type { AppliedPerturbation, IterationConditions } from '../core/conditions.js';
import type { Clock } from '../core/clock.js';
import { withDeadline } from '../core/deadline.js';
import { formatDuration } from '../core/durations.js';
import { EnvironmentError, UsageError } from '../core/errors.js';
import type { SweepEvents } from '../core/events.js';
import { markerLine } from '../core/log-markers.js';
import type { IterationResult, KilledBy } from '../core/result.js';
import { maskSecrets, secretValues } from '../core/secrets.js';
import type { Executor, PreparedIteration, RunningIteration } from '../executors/executor.js';
import { runName, type SweepLayout } from '../store/layout.js';
import type { ProcessIdentity } from '../store/process-identity.js';
import { setAsidePreviousAttempt } from '../store/set-aside.js';
import { ClassifyingTee } from './classifying-tee.js';
import { classifiedResult, harnessResult, type ResultFrame } from './iteration-result.js';
import { iterationSpec } from './iteration-spec.js';
import { OutputTap } from './output-tap.js';
import type { SweepConfig } from './sweep-config.js';
import { parallelismKind, runnerMode } from './test-command.js';
import { Watchdog } from './watchdog.js';

const FORENSICS_LIMIT_MS = 45_000;
const OUTPUT_DRAIN_MS = 10_000;
/** How long in-flight containers get to stop when the sweep is interrupted. */
export const INTERRUPT_GRACE_MS = 3_000;

export interface IterationContext {
  config: SweepConfig;
  layout: SweepLayout;
  sweepId: string;
  imageId: string | null;
  executor: Executor;
  taxonomy: Taxonomy;
  events: SweepEvents;
  owner: ProcessIdentity;
  clock: Clock;
  /** Aborted on Ctrl-C / SIGTERM: the iteration stops its container and reports `interrupted`. */
  signal: AbortSignal;
  /** Running iterations, so a forced exit can remove their containers. */
  live: Set<RunningIteration>;
  /** Containers being removed in the background; the sweep awaits them before it ends. */
  removals: Set<Promise<void>>;
  onRunner(runner: string): Promise<void>;
}

export interface IterationOutcome {
  result: IterationResult;
  collectionFailure: boolean;
  /** pytest could not even start: what failed, for the hint that stops the sweep. */
  startupFailure?: StartupFailure | null;
  /** An error of the infrastructure, not of the tests (worth retrying). */
  infrastructure: boolean;
}

function lastWords(tap: OutputTap): string {
  const last = tap.lastLines(1)[0];
  return last === undefined ? 'nothing' : JSON.stringify(last.length > 300 ? `${last.slice(0, 300)}…` : last);
}

/**
 * The hang path: a marker line the taxonomy matches, forensics (masked) into forensics.txt, then
 * SIGTERM and SIGKILL after the grace period. The container is stopped whatever forensics do.
 */
async function stopHungRun(
  ctx: IterationContext,
  iteration: number,
  running: RunningIteration,
  tap: OutputTap,
  reason: Exclude<KilledBy, null>,
  secrets: string[],
): Promise<void> {
  const { layout } = ctx;
  const { limits } = ctx.config;
  const marker = reason === 'idle'
    ? markerLine('HANG', `no output for ${formatDuration(limits.idleTimeoutMs)} (--idle-timeout)`)
    : markerLine('TIMEOUT', `the iteration ran longer than ${formatDuration(limits.timeoutMs)} (--timeout)`);
  tap.mark(`${marker}; stopping it. Last output: ${lastWords(tap)}`);
  ctx.events.emit({ type: 'iteration-killed', iteration, reason, lastLine: tap.lastLines(1)[0] ?? null });
  try {
    const forensics = await withDeadline(running.forensics(), FORENSICS_LIMIT_MS, 'forensics timed out');
    if (!ctx.signal.aborted) {
      await writeFile(layout.forensicsTxt(iteration), maskSecrets(forensics, secrets));
      tap.mark(markerLine('INFO', `process list and stacks saved to forensics.txt; SIGTERM now, SIGKILL after ${formatDuration(limits.graceMs)}`));
    }
  } catch (error) {
    ctx.events.emit({ type: 'warning', message: `${runName(iteration)}: could not save forensics: ${(error as Error).message}` });
  } finally {
    await running.stop(limits.graceMs).catch(() => undefined);
  }
}

/** Runs one attempt of one iteration, start to result, and never leaves its container behind. */
export async function runIterationAttempt(
  ctx: IterationContext,
  iteration: number,
  conditions: IterationConditions,
  prepared: PreparedIteration | null = null,
): Promise<IterationOutcome> {
  const { config, layout, clock } = ctx;
  const attempt = await setAsidePreviousAttempt(layout.runDir(iteration));
  const startedAt = clock.now();
  const frame = (exitCode: number | null = null, killedBy: KilledBy = null): ResultFrame => ({
    iteration,
    exitCode,
    durationMs: clock.now() - startedAt,
    killedBy,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(clock.now()).toISOString(),
    attempt,
    host: ctx.owner.host,
    pid: ctx.owner.pid,
    imageId: ctx.imageId,
    conditions,
  });
  const judged = (result: IterationResult, infrastructure = false): IterationOutcome => ({ result, collectionFailure: false, infrastructure });
  if (ctx.signal.aborted) return judged(harnessResult(frame(), 'interrupted', 'the sweep was interrupted before this iteration started'));

  let running: RunningIteration;
  try {
    running = prepared !== null ? await prepared.start() : await ctx.executor.start(iterationSpec(config, { id: ctx.sweepId, dir: layout.dir }, iteration, ctx.owner, conditions));
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError) throw error;
    // Anything else that stops a container from starting is the infrastructure's fault, not the tests'.
    return judged(harnessResult(frame(), 'error', (error as Error).message), true);
  }
  ctx.live.add(running);
  try {
    return await superviseRun(ctx, iteration, running, frame, attempt, conditions);
  } finally {
    // The next iteration need not wait for `docker rm`: the removal goes on in the background and
    // the sweep awaits every removal before it ends (a killed process's leftovers are reaped later).
    const removal: Promise<void> = running
      .cleanup()
      .catch((error: Error) => ctx.events.emit({ type: 'warning', message: `could not remove ${running.id}: ${error.message}` }))
      .finally(() => {
        ctx.live.delete(running);
        ctx.removals.delete(removal);
      });
    ctx.removals.add(removal);
  }
}

/**
 * Says so when stalls were asked for and none was applied in a run long enough for several (the
 * freezer refused, or the back end could not): the iteration ran unperturbed, and a sweep that
 * counts it as stalled would mislead.
 */
function warnIfNotApplied(ctx: IterationContext, iteration: number, conditions: IterationConditions, applied: AppliedPerturbation | null, durationMs: number): void {
  const stalls = conditions.realized.stalls;
  if (stalls === undefined || applied?.stallWindows !== 0 || durationMs < 3 * (stalls.everyMs + stalls.maxMs)) return;
  ctx.events.emit({ type: 'warning', message: `${runName(iteration)}: no stall window was applied in ${formatDuration(durationMs)} (the container could not be frozen): it ran without its stalls` });
}

async function superviseRun(
  ctx: IterationContext,
  iteration: number,
  running: RunningIteration,
  frameAt: (exitCode?: number | null, killedBy?: KilledBy) => ResultFrame,
  attempt: number,
  conditions: IterationConditions,
): Promise<IterationOutcome> {
  const { config, layout, clock } = ctx;
  await ctx.onRunner(running.id);
  const startedAt = clock.now();
  ctx.events.emit({ type: 'iteration-started', iteration, attempt, runner: running.id, at: startedAt });
  const secrets = secretValues(config.container.env, config.container.envPass);
  const tap = new OutputTap(secrets);
  const tee = new ClassifyingTee(ctx.taxonomy, parallelismKind(conditions), runnerMode(config.run));
  const written = pipeline(running.output, tap, tee, createWriteStream(layout.runLog(iteration)));
  let writtenWhole = false;
  written.then(() => (writtenWhole = true), () => undefined);

  let killedBy: KilledBy = null;
  let interrupted = false;
  const stops: Array<Promise<void>> = [];
  const watchdog = new Watchdog(startedAt, config.limits.timeoutMs, config.limits.idleTimeoutMs, () => tap.lastOutputAt, (reason) => {
    killedBy = reason;
    stops.push(stopHungRun(ctx, iteration, running, tap, reason, secrets));
  });
  const onAbort = () => {
    interrupted = true;
    watchdog.stop();
    // Even while a hang is being handled: an interrupt must not wait for forensics.
    stops.push(running.stop(INTERRUPT_GRACE_MS).catch(() => undefined));
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  watchdog.start();

  const exit = await running.exited;
  watchdog.stop();
  ctx.signal.removeEventListener('abort', onAbort);
  await Promise.all(stops);
  await withDeadline(written, OUTPUT_DRAIN_MS);
  if (!running.output.readableEnded) running.output.destroy();
  await running.collectArtifacts(layout.artifactsDir(iteration)).catch((error: Error) => {
    ctx.events.emit({ type: 'warning', message: `${iteration}: could not copy artifacts out of ${running.id}: ${error.message}` });
  });

  const judged = (result: IterationResult, infrastructure = false): IterationOutcome => ({ result, collectionFailure: false, infrastructure });
  const node = running.node ?? undefined;
  const applied = running.applied?.() ?? null;
  const durationMs = clock.now() - startedAt;
  warnIfNotApplied(ctx, iteration, conditions, applied, durationMs);
  const base = frameAt(exit.exitCode, killedBy);
  const frame = {
    ...base,
    ...(applied === null || base.conditions === undefined ? {} : { conditions: { ...base.conditions, applied } }),
    durationMs,
    ...(node === undefined ? {} : { node }),
    ...(exit.oomKilled === true ? { oomKilled: true as const } : {}),
    ...(exit.signal === null ? {} : { signal: exit.signal }),
  };
  if (interrupted) return judged(harnessResult({ ...frame, killedBy: null }, 'interrupted', 'stopped by Ctrl-C / SIGTERM; it will run again on resume'));
  if (exit.exitCode === null && killedBy === null) {
    return judged(harnessResult({ ...frame, exitCode: null }, 'error', exit.lost ?? `lost track of ${running.id} (the Docker daemon went away?)`), true);
  }
  const memoryLimitBytes = conditions.realized.memoryBytes ?? config.container.resources.memoryBytes;
  const runExit = { exitCode: exit.exitCode, killedBy, oomKilled: exit.oomKilled === true, memoryLimitBytes, signal: exit.signal };
  // Classified on the way to run.log; only a log that did not finish writing is read back instead.
  const classification: Classification = writtenWhole && tee.complete
    ? tee.finish(runExit, await readPluginEvents(layout.artifactsDir(iteration)))
    : await classifyLog({
      log: layout.runLog(iteration),
      artifactsDir: layout.artifactsDir(iteration),
      taxonomy: ctx.taxonomy,
      parallelism: parallelismKind(conditions),
      mode: runnerMode(config.run),
      exit: runExit,
    });
  return {
    result: classifiedResult(frame, classification, secrets),
    collectionFailure: classification.collectionFailure,
    startupFailure: classification.startupFailure,
    infrastructure: false,
  };
}
