import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

import type { Classification } from '../classify/classification.js';
import { classifyLog } from '../classify/classify-log.js';
import type { Taxonomy } from '../classify/taxonomy-types.js';
import { EnvironmentError, UsageError } from '../core/errors.js';
import type { SweepEvents } from '../core/events.js';
import type { IterationResult, KilledBy } from '../core/result.js';
import type { Executor, RunningIteration } from '../executors/executor.js';
import type { SweepLayout } from '../store/layout.js';
import type { ProcessIdentity } from '../store/process-identity.js';
import { setAsidePreviousAttempt } from '../store/set-aside.js';
import { formatDuration } from './durations.js';
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
  /** Aborted on Ctrl-C / SIGTERM: the iteration stops its container and reports `interrupted`. */
  signal: AbortSignal;
  /** Running iterations, so a forced exit can remove their containers. */
  live: Set<RunningIteration>;
  onRunner(runner: string): Promise<void>;
}

export interface IterationOutcome {
  result: IterationResult;
  collectionFailure: boolean;
  /** An error of the infrastructure, not of the tests (worth retrying). */
  infrastructure: boolean;
}

function secretValues(config: SweepConfig): string[] {
  const values = config.envPass.map((name) => process.env[name]).filter((v): v is string => v !== undefined);
  const named = Object.entries(config.env).filter(([key]) => /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE|AUTH)/i.test(key));
  return [...values, ...named.map(([, value]) => value)];
}

function lastWords(tap: OutputTap): string {
  const last = tap.lastLines(1)[0];
  return last === undefined ? 'nothing' : JSON.stringify(last.length > 300 ? `${last.slice(0, 300)}…` : last);
}

/** Runs one attempt of one iteration, start to result, and never leaves its container behind. */
export async function runIterationAttempt(ctx: IterationContext, iteration: number): Promise<IterationOutcome> {
  const { config, layout } = ctx;
  const attempt = await setAsidePreviousAttempt(layout.runDir(iteration));
  const startedAt = Date.now();
  const base = (status: IterationResult['status'], note: string | null): IterationResult => ({
    iteration,
    status,
    exitCode: null,
    durationMs: Date.now() - startedAt,
    classes: [],
    failures: [],
    killedBy: null,
    exitCodeMismatch: false,
    tests: { passed: 0, failed: 0 },
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    attempt,
    host: ctx.owner.host,
    pid: ctx.owner.pid,
    imageId: ctx.imageId,
    note,
  });
  if (ctx.signal.aborted) return { result: base('interrupted', 'the sweep was interrupted before this iteration started'), collectionFailure: false, infrastructure: false };

  let running: RunningIteration;
  try {
    running = await ctx.executor.start(iterationSpec(config, { id: ctx.sweepId, dir: layout.dir }, iteration, ctx.owner));
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError) throw error;
    // Anything else that stops a container from starting is the infrastructure's fault, not the tests'.
    return { result: base('error', (error as Error).message), collectionFailure: false, infrastructure: true };
  }
  ctx.live.add(running);
  try {
    return await superviseRun(ctx, iteration, running, base);
  } finally {
    await running.cleanup().catch((error: Error) => ctx.events.emit({ type: 'warning', message: `could not remove ${running.id}: ${error.message}` }));
    ctx.live.delete(running);
  }
}

async function superviseRun(
  ctx: IterationContext,
  iteration: number,
  running: RunningIteration,
  base: (status: IterationResult['status'], note: string | null) => IterationResult,
): Promise<IterationOutcome> {
  const { config, layout } = ctx;
  await ctx.onRunner(running.id);
  const startedAt = Date.now();
  ctx.events.emit({ type: 'iteration-started', iteration, attempt: base('passed', null).attempt, runner: running.id, at: startedAt });
  const tap = new OutputTap(secretValues(config));
  const written = pipeline(running.output, tap, createWriteStream(layout.runLog(iteration)));
  written.catch(() => undefined);

  let killedBy: KilledBy = null;
  let interrupted = false;
  let stopping: Promise<void> | null = null;
  const watchdog = new Watchdog(startedAt, config.timeoutMs, config.idleTimeoutMs, () => tap.lastOutputAt, (reason) => {
    killedBy = reason;
    const what = reason === 'idle'
      ? `HANG: no output for ${formatDuration(config.idleTimeoutMs)} (--idle-timeout)`
      : `TIMEOUT: the iteration ran longer than ${formatDuration(config.timeoutMs)} (--timeout)`;
    const lastLine = tap.lastLines(1)[0] ?? null;
    tap.mark(`[flakehunt] ${what}; stopping it. Last output: ${lastWords(tap)}`);
    ctx.events.emit({ type: 'iteration-killed', iteration, reason, lastLine });
    stopping = (async () => {
      const forensics = await Promise.race([
        running.forensics(),
        new Promise<string>((resolve) => setTimeout(() => resolve('forensics timed out'), FORENSICS_LIMIT_MS).unref()),
      ]);
      await writeFile(layout.forensicsTxt(iteration), forensics);
      tap.mark(`[flakehunt] process list and stacks saved to forensics.txt; SIGTERM now, SIGKILL after ${formatDuration(config.graceMs)}`);
      await running.stop(config.graceMs);
    })();
  });
  const onAbort = () => {
    interrupted = true;
    watchdog.stop();
    stopping ??= running.stop(INTERRUPT_GRACE_MS);
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  watchdog.start();

  const exit = await running.exited;
  watchdog.stop();
  ctx.signal.removeEventListener('abort', onAbort);
  if (stopping !== null) await stopping;
  await Promise.race([written, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref())]);
  if (!running.output.readableEnded) running.output.destroy();
  await running.collectArtifacts(layout.artifactsDir(iteration)).catch((error: Error) => {
    ctx.events.emit({ type: 'warning', message: `${iteration}: could not copy artifacts out of ${running.id}: ${error.message}` });
  });

  const durationMs = Date.now() - startedAt;
  if (interrupted) {
    return { result: { ...base('interrupted', 'stopped by Ctrl-C / SIGTERM; it will run again on resume'), exitCode: exit.exitCode, durationMs }, collectionFailure: false, infrastructure: false };
  }
  if (exit.exitCode === null && killedBy === null) {
    return { result: { ...base('error', `lost track of ${running.id} (the Docker daemon went away?)`), durationMs }, collectionFailure: false, infrastructure: true };
  }
  const classification: Classification = await classifyLog({
    log: layout.runLog(iteration),
    artifactsDir: layout.artifactsDir(iteration),
    taxonomy: ctx.taxonomy,
    parallelism: parallelismKind(config),
    mode: runnerMode(config),
    exit: { exitCode: exit.exitCode, killedBy },
  });
  const result: IterationResult = {
    ...base(classification.status, classification.note),
    exitCode: exit.exitCode,
    durationMs,
    classes: classification.classes,
    failures: classification.failures,
    killedBy,
    exitCodeMismatch: classification.exitCodeMismatch,
    tests: classification.tests,
  };
  return { result, collectionFailure: classification.collectionFailure, infrastructure: false };
}
