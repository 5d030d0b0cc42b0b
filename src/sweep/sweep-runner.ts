import { setMaxListeners } from 'node:events';

import type { Taxonomy } from '../classify/taxonomy-types.js';
import { type Clock, systemClock } from '../core/clock.js';
import { type IterationConditions, kindsOf } from '../core/conditions.js';
import { withDeadline } from '../core/deadline.js';
import { formatDuration } from '../core/durations.js';
import { EnvironmentError, InterruptedError } from '../core/errors.js';
import type { SweepEvents } from '../core/events.js';
import type { IterationResult } from '../core/result.js';
import { MIN_SECRET_LENGTH, unmaskableSecrets } from '../core/secrets.js';
import type { Executor, RunningIteration } from '../executors/executor.js';
import { SweepLayout } from '../store/layout.js';
import { withLock } from '../store/locks.js';
import { announceProcess } from '../store/process-files.js';
import { currentProcess } from '../store/process-identity.js';
import { rewriteSweepFiles, type SummaryRenderer } from '../store/results-store.js';
import type { SweepRecord } from '../store/sweep-record.js';
import { cellChoiceFor } from './cell-choice.js';
import { Claimer } from './claimer.js';
import { ConditionsPlanner } from './conditions.js';
import { resolveDecision } from './decision.js';
import { IterationPipeline } from './iteration-pipeline.js';
import { iterationSpec } from './iteration-spec.js';
import { LookaheadPool } from './lookahead.js';
import { openSweepRecord } from './open-sweep-record.js';
import { planIterations } from './resume.js';
import type { IterationContext } from './run-iteration.js';
import { type SweepConfig, sweepDirOf } from './sweep-config.js';
import { type StopDecision, SweepState } from './sweep-state.js';
import { WorkQueue } from './work-queue.js';
import { runWorker } from './worker-loop.js';

/** How often to look again at iterations that another process holds. */
const CLAIM_POLL_MS = 1_000;

export interface SweepOutcome {
  dir: string;
  /** Every result in the sweep folder (all processes, all sessions). */
  results: IterationResult[];
  ranHere: number;
  /** sweep.json as this run left it. */
  record: SweepRecord;
  /** Why the sweep stopped before its range was done; null when it ran to the end. */
  stop: StopDecision | null;
}

export interface SweepDependencies {
  executor: Executor;
  taxonomy: Taxonomy;
  events: SweepEvents;
  signal: AbortSignal;
  /** What summary.txt says for the sweep in this folder (the report layer renders it). */
  summaryRenderer(dir: string, record: SweepRecord): SummaryRenderer;
  clock?: Clock;
}

/**
 * Runs a sweep: claims iterations one by one (so several processes can share the folder), runs
 * each in a fresh container, records results under the sweep lock, and stops cleanly on Ctrl-C,
 * repeated infrastructure errors, a collection failure or the failure limit. It orchestrates;
 * claiming, preparing ahead, running and recording, and the stop policy each have their own module.
 */
export class SweepRunner {
  readonly layout: SweepLayout;
  private readonly live = new Set<RunningIteration>();
  private readonly removals = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly invocationStart: number;
  private readonly owner = currentProcess();
  private readonly state: SweepState;

  constructor(
    private readonly config: SweepConfig,
    private readonly deps: SweepDependencies,
  ) {
    this.layout = new SweepLayout(sweepDirOf(config));
    this.clock = deps.clock ?? systemClock;
    this.invocationStart = this.clock.now();
    this.state = new SweepState(deps.events);
    // Every running iteration listens to the signal: with many jobs that is many listeners.
    setMaxListeners(0, deps.signal, this.state.halt.signal);
    const onSignal = () => {
      this.state.requestStop('interrupted', 'interrupted by a signal');
      this.state.halt.abort();
    };
    if (deps.signal.aborted) onSignal();
    else deps.signal.addEventListener('abort', onSignal, { once: true });
  }

  /**
   * Removes every container this process started, now (the second Ctrl-C): the running ones, and by
   * label any still being created. Gives up after `limitMs` so a stuck daemon cannot hold the exit.
   */
  async removeLiveNow(limitMs = 5_000): Promise<void> {
    const removals = Promise.allSettled([
      ...[...this.live].map((running) => running.cleanup()),
      this.deps.executor.reap({ sweepId: null, includeLiveOwners: true, onlyOwner: this.owner }),
    ]);
    await withDeadline(removals, limitMs);
  }

  async run(): Promise<SweepOutcome> {
    try {
      return await this.runChecked();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'EDQUOT') {
        throw new EnvironmentError(`cannot write the sweep's files under ${this.layout.dir} (${code}: ${(error as Error).message}); pick a writable --logs-dir or free some space, then run the same command again to resume`);
      }
      throw error;
    }
  }

  private async runChecked(): Promise<SweepOutcome> {
    const { config, deps, layout } = this;
    const interrupted = new Promise<never>((_, reject) => {
      const fail = () => reject(new InterruptedError('interrupted before the sweep started; nothing was written'));
      if (this.state.halt.signal.aborted) fail();
      else this.state.halt.signal.addEventListener('abort', fail, { once: true });
    });
    interrupted.catch(() => undefined);
    // A Ctrl-C while Docker is slow to answer must not go on to create the sweep folder.
    const perturbations = [...new Set(config.conditions.cells.flatMap((cell) => kindsOf(cell.perturbation)))];
    const { imageId } = await Promise.race([deps.executor.preflight(config.run.image, perturbations), interrupted]);
    for (const name of config.container.envPass) {
      if (process.env[name] === undefined) deps.events.emit({ type: 'warning', message: `--env-pass ${name}: it is not set here, so the container does not get it` });
    }
    for (const name of unmaskableSecrets(config.container.env, config.container.envPass)) {
      deps.events.emit({ type: 'warning', message: `${name}: its value is shorter than ${MIN_SECRET_LENGTH} characters, too short to mask without masking ordinary text, so it is not masked in logs and results` });
    }
    const decision = config.stop.decide === null ? null : await resolveDecision(config.stop.decide);
    const { record, warnings } = await openSweepRecord(layout, config, imageId, this.onCompromised, decision?.question ?? null);
    for (const message of warnings) deps.events.emit({ type: 'warning', message });
    const { schedule } = config;
    const withdraw = await announceProcess(layout, { owner: this.owner, start: schedule.start, end: schedule.end, jobs: schedule.jobs, startedAt: new Date(this.invocationStart).toISOString() });
    try {
      return await this.runAnnounced(record, imageId, decision);
    } finally {
      await withdraw();
    }
  }

  private async runAnnounced(record: SweepRecord, imageId: string | null, decision: Awaited<ReturnType<typeof resolveDecision>> | null): Promise<SweepOutcome> {
    const { config, deps, layout, state } = this;
    const sweepId = record.sweepId;
    const render = deps.summaryRenderer(layout.dir, record);
    const reaped = await deps.executor.reap({ sweepId, includeLiveOwners: false });
    if (reaped.length > 0) deps.events.emit({ type: 'warning', message: `removed ${reaped.length} container(s) left behind by an earlier, killed run: ${reaped.join(', ')}` });
    // Results are recorded incrementally; a process killed between writing a result.json and the
    // sweep files leaves them one result behind. Rebuilding them once here heals that.
    const existing = await withLock(layout.sweepLock, this.onCompromised, () => rewriteSweepFiles(layout, render));
    const { planned, finished } = planIterations(config.schedule, existing, this.invocationStart);
    for (const iteration of finished) deps.events.emit({ type: 'iteration-skipped', iteration, reason: 'finished' });
    deps.events.emit({ type: 'sweep-started', dir: layout.dir, sweepId, planned, alreadyFinished: finished.length, jobs: config.schedule.jobs, at: this.clock.now() });

    const ctx: IterationContext = {
      config, layout, sweepId, imageId, executor: deps.executor, taxonomy: deps.taxonomy, events: deps.events, owner: this.owner,
      clock: this.clock, signal: state.halt.signal, live: this.live, removals: this.removals, onRunner: async () => undefined,
    };
    const claimer = new Claimer({ layout, sweepId, executor: deps.executor, events: deps.events, state, force: config.schedule.force, invocationStart: this.invocationStart, onCompromised: this.onCompromised });
    const planner = new ConditionsPlanner(config, record.seed!, cellChoiceFor(this.config, record.seed!));
    const conditionsFor = (iteration: number) => planner.conditionsFor(iteration, state.lastResults);
    const pool = new LookaheadPool(claimer, state, deps.executor, conditionsFor, (iteration, conditions) =>
      iterationSpec(config, { id: sweepId, dir: layout.dir }, iteration, this.owner, conditions));
    const pipeline = new IterationPipeline(ctx, state, claimer, render, this.onCompromised, this.invocationStart, decision);
    pipeline.stopIfAlreadyDone(existing);
    const queue = new WorkQueue(planned, config.schedule.chunkSize);
    const deferred = new Set<number>();
    const budgetMs = config.hunt?.budgetMs ?? null;
    const budget = budgetMs === null ? null : setTimeout(() => state.requestStop('budget', `the time budget of ${formatDuration(budgetMs)} is spent`), budgetMs);
    const workers = await Promise.allSettled(
      Array.from({ length: Math.max(1, config.schedule.jobs) }, () => runWorker(queue, config.schedule.chunkSize !== null, pool, pipeline, state, deferred)),
    );
    if (budget !== null) clearTimeout(budget);
    const failure = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected')?.reason as unknown;
    if (failure === undefined) await this.awaitOthers(claimer, pipeline, deferred, conditionsFor);
    // The last containers are removed while the sweep files are rebuilt: neither waits for the other.
    const rebuilt = withLock(layout.sweepLock, this.onCompromised, () => rewriteSweepFiles(layout, render));
    rebuilt.catch(() => undefined);
    await Promise.all([...this.removals]);
    if (failure !== undefined) {
      await rebuilt.catch(() => undefined);
      throw failure;
    }
    const results = await rebuilt;
    deps.events.emit({ type: 'sweep-finished', results, ranHere: state.ranHere, stopReason: state.stop?.reason ?? null });
    return { dir: layout.dir, results, ranHere: state.ranHere, record, stop: state.stop };
  }

  /** Waits for iterations other processes hold: they finish them, or die and this process takes over. */
  private async awaitOthers(claimer: Claimer, pipeline: IterationPipeline, deferred: Set<number>, conditionsFor: (iteration: number) => IterationConditions): Promise<void> {
    const noHooks = { onStarted: () => undefined, onSlotFree: () => undefined };
    while (deferred.size > 0 && !this.state.stopping) {
      for (const iteration of [...deferred]) {
        if (this.state.stopping) return;
        if (await claimer.isDone(iteration, false)) {
          deferred.delete(iteration);
          continue;
        }
        const claim = await claimer.acquire(iteration);
        if (claim === 'elsewhere') continue;
        if (claim !== 'done') await pipeline.runClaimed({ iteration, claim, conditions: conditionsFor(iteration), prepared: Promise.resolve(null) }, noHooks, null);
        deferred.delete(iteration);
      }
      if (deferred.size > 0) await this.clock.sleep(CLAIM_POLL_MS, this.state.halt.signal);
    }
  }

  private readonly onCompromised = (error: Error): void => {
    this.deps.events.emit({ type: 'warning', message: `a lock was lost (${error.message}); another process may take over this iteration` });
  };
}
