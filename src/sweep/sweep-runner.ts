import { setMaxListeners } from 'node:events';
import path from 'node:path';

import type { Taxonomy } from '../classify/taxonomy-types.js';
import { EnvironmentError, ExitCode, InterruptedError } from '../core/errors.js';
import type { SweepEvents } from '../core/events.js';
import { isVerdict, type IterationResult } from '../core/result.js';
import type { Executor, PreparedIteration, RunningIteration } from '../executors/executor.js';
import { type Claim, claimIteration } from '../store/claims.js';
import { announceProcess } from '../store/process-files.js';
import { runName, SweepLayout, sweepFolderName } from '../store/layout.js';
import { withLock } from '../store/locks.js';
import { currentProcess } from '../store/process-identity.js';
import { readJsonIfExists } from '../store/read-json.js';
import { recordResult, rewriteSweepFiles, type SummaryRenderer } from '../store/results-store.js';
import { iterationSpec } from './iteration-spec.js';
import { type IterationContext, type IterationOutcome, runIterationAttempt } from './run-iteration.js';
import type { SweepConfig } from './sweep-config.js';
import { openSweepRecord } from './sweep-record.js';
import { summaryRenderer, sweepInfo } from './sweep-summary.js';
import { readStopMarker, writeStopMarker } from './stop-marker.js';
import { WorkQueue } from './work-queue.js';
import { WorkerFeed } from './worker-feed.js';

/** How often to look again at iterations that another process holds. */
const CLAIM_POLL_MS = 1_000;

type StopKind = 'environment' | 'collection' | 'limit' | 'interrupted' | 'failed';

export interface SweepOutcome {
  dir: string;
  /** Every result in the sweep folder (all processes, all sessions). */
  results: IterationResult[];
  /** Results of the iterations this command asked for (start..end). */
  inRange: IterationResult[];
  ranHere: number;
  stopReason: string | null;
  exitCode: number;
}

export interface SweepDependencies {
  executor: Executor;
  taxonomy: Taxonomy;
  events: SweepEvents;
  signal: AbortSignal;
}

/** An iteration this process has claimed, and maybe created the container for, but not yet run. */
interface Lookahead {
  iteration: number;
  claim: Claim;
  /** The created container; null when there is none (an error here shows again when the run starts it the usual way). */
  prepared: Promise<PreparedIteration | null>;
  /** On the spare list, so another worker may take it. */
  shared?: boolean;
}

function isDone(result: IterationResult | null, force: boolean, since: number): boolean {
  if (result === null || !isVerdict(result)) return false;
  return !(force && Date.parse(result.finishedAt) < since);
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs a sweep: claims iterations one by one (so several processes can share the folder), runs
 * each in a fresh container, records results under the sweep lock, and stops cleanly on
 * Ctrl-C, repeated infrastructure errors, a collection failure or the failure limit.
 */
export class SweepRunner {
  readonly layout: SweepLayout;
  private readonly live = new Set<RunningIteration>();
  private readonly removals = new Set<Promise<void>>();
  /** Iterations prepared ahead by a busy worker, for a worker that has nothing left to do. */
  private readonly spare: Lookahead[] = [];
  /** Claims ahead in progress that will land on the spare list (settle when they have). */
  private readonly claimingAhead = new Set<Promise<void>>();
  private readonly invocationStart = Date.now();
  private readonly owner = currentProcess();
  private stopKind: StopKind | null = null;
  private stopReason: string | null = null;
  private consecutiveInfraErrors = 0;
  private normalRuns = 0;
  private ranHere = 0;
  private readonly toldClaimedElsewhere = new Set<number>();
  private lastResults: IterationResult[] = [];
  private readonly render: SummaryRenderer;

  /** Aborted on the user's signal, or when a worker fails: in-flight iterations stop either way. */
  private readonly halt = new AbortController();

  constructor(
    private readonly config: SweepConfig,
    private readonly deps: SweepDependencies,
  ) {
    this.layout = new SweepLayout(path.resolve(config.logsDir, sweepFolderName(config.parallelism, config.tag)));
    this.render = summaryRenderer(sweepInfo(this.layout.dir, config), deps.taxonomy);
    // Every running iteration listens to the signal: with many jobs that is many listeners.
    setMaxListeners(0, deps.signal, this.halt.signal);
    const onSignal = () => {
      this.stop('interrupted', 'interrupted by a signal');
      this.halt.abort();
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
    await Promise.race([removals, new Promise((resolve) => setTimeout(resolve, limitMs).unref())]);
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
      if (this.halt.signal.aborted) fail();
      else this.halt.signal.addEventListener('abort', fail, { once: true });
    });
    interrupted.catch(() => undefined);
    // A Ctrl-C while Docker is slow to answer must not go on to create the sweep folder.
    const { imageId } = await Promise.race([deps.executor.preflight(config.image), interrupted]);
    for (const name of config.envPass) {
      if (process.env[name] === undefined) deps.events.emit({ type: 'warning', message: `--env-pass ${name}: it is not set here, so the container does not get it` });
    }

    const { record, warnings } = await openSweepRecord(layout, config, imageId, this.onCompromised);
    for (const message of warnings) deps.events.emit({ type: 'warning', message });
    const withdraw = await announceProcess(layout, { owner: this.owner, start: config.start, end: config.end, jobs: config.jobs, startedAt: new Date(this.invocationStart).toISOString() });
    try {
      return await this.runAnnounced(record.sweepId, imageId);
    } finally {
      await withdraw();
    }
  }

  private async runAnnounced(sweepId: string, imageId: string | null): Promise<SweepOutcome> {
    const { config, deps, layout } = this;
    const reaped = await deps.executor.reap({ sweepId, includeLiveOwners: false });
    if (reaped.length > 0) deps.events.emit({ type: 'warning', message: `removed ${reaped.length} container(s) left behind by an earlier, killed run: ${reaped.join(', ')}` });
    // Results are recorded incrementally; a process killed between writing a result.json and the
    // sweep files leaves them one result behind. Rebuilding them once here heals that.
    const existing = await withLock(layout.sweepLock, this.onCompromised, () => rewriteSweepFiles(layout, this.render));
    const byIteration = new Map(existing.map((r) => [r.iteration, r]));

    const planned: number[] = [];
    let alreadyFinished = 0;
    for (let i = config.start; i <= config.end; i += 1) {
      if (isDone(byIteration.get(i) ?? null, config.force, this.invocationStart)) {
        alreadyFinished += 1;
        deps.events.emit({ type: 'iteration-skipped', iteration: i, reason: 'finished' });
      } else {
        planned.push(i);
      }
    }
    deps.events.emit({ type: 'sweep-started', dir: layout.dir, sweepId, planned, alreadyFinished, jobs: config.jobs, at: Date.now() });

    const ctx: IterationContext = {
      config, layout, sweepId, imageId, executor: deps.executor, taxonomy: deps.taxonomy,
      events: deps.events, owner: this.owner, signal: this.halt.signal, live: this.live, removals: this.removals, onRunner: async () => undefined,
    };
    const queue = new WorkQueue(planned, config.chunkSize);
    const deferred = new Set<number>();
    let failure: unknown = null;
    const worker = async () => {
      const feed = new WorkerFeed(queue, config.chunkSize !== null);
      let current: Lookahead | null = null;
      let following: Promise<Lookahead | null> | null = null;
      /** The previous iteration's recording, which may still be under way while the next one runs. */
      let recording: Promise<void> | null = null;
      try {
        current = await this.nextClaimed(ctx, feed, deferred);
        while (current !== null && this.stopKind === null) {
          following = null;
          // Once this iteration's container runs, set up the next one alongside it.
          const prepareNext = () => {
            if (following !== null) return;
            following = this.prepareAhead(ctx, feed, deferred);
            // Awaited once the current run ends; until then a failure must not count as unhandled.
            following.catch(() => undefined);
          };
          const running = current;
          current = null;
          let freeSlot!: () => void;
          const slotFree = new Promise<void>((resolve) => (freeSlot = resolve));
          const finished = this.runClaimed(ctx, running, { onStarted: prepareNext, onSlotFree: freeSlot }, recording);
          recording = finished;
          // Awaited here or by the next iteration's recording; a failure surfaces from either.
          finished.catch(() => undefined);
          await Promise.race([slotFree, finished]);
          const mine: Lookahead | null = following === null ? null : await following;
          following = null;
          current = mine !== null && this.takeBack(mine) ? mine : await this.nextClaimed(ctx, feed, deferred);
        }
        if (recording !== null) await recording;
      } catch (error) {
        // One worker's failure stops the others (their iterations end as interrupted), then surfaces.
        failure ??= error;
        this.stop('failed', (error as Error).message);
        this.halt.abort();
      } finally {
        await recording?.catch(() => undefined);
        // Claimed or prepared but never run (the sweep stopped): let them go.
        if (current !== null) await this.abandon(current);
        const ahead = following === null ? null : await (following as Promise<Lookahead | null>).catch(() => null);
        if (ahead !== null && this.takeBack(ahead)) await this.abandon(ahead);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, config.jobs) }, worker));
    if (failure === null) await this.awaitOthers(ctx, deferred);
    // The last containers are removed while the sweep files are rebuilt: neither waits for the other.
    const rebuilt = withLock(layout.sweepLock, this.onCompromised, () => rewriteSweepFiles(layout, this.render));
    rebuilt.catch(() => undefined);
    await Promise.all([...this.removals]);
    if (failure !== null) {
      await rebuilt.catch(() => undefined);
      throw failure;
    }

    const results = await rebuilt;
    const inRange = results.filter((r) => r.iteration >= config.start && r.iteration <= config.end);
    deps.events.emit({ type: 'sweep-finished', results, ranHere: this.ranHere, stopReason: this.stopReason });
    return { dir: layout.dir, results, inRange, ranHere: this.ranHere, stopReason: this.stopReason, exitCode: this.exitCode(inRange) };
  }

  /** Runs one iteration if this process can claim it; false when another live process holds it. */
  private async process(ctx: IterationContext, iteration: number): Promise<boolean> {
    const claim = await this.acquire(ctx, iteration);
    if (claim === 'elsewhere') return false;
    if (claim !== 'done') await this.runClaimed(ctx, { iteration, claim, prepared: Promise.resolve(null) }, { onStarted: () => undefined, onSlotFree: () => undefined }, null);
    return true;
  }

  /** Claims the iteration: the claim; 'done' when there is nothing to run; 'elsewhere' when a live process holds it. */
  private async acquire(ctx: IterationContext, iteration: number): Promise<Claim | 'done' | 'elsewhere'> {
    if (await this.stoppedElsewhere()) return 'done';
    if (isDone(await this.readResult(iteration), this.config.force, this.invocationStart)) return 'done';
    const claim = await claimIteration(this.layout, iteration, this.onCompromised);
    if (claim === null) {
      if (!this.toldClaimedElsewhere.has(iteration)) this.deps.events.emit({ type: 'iteration-skipped', iteration, reason: 'claimed-elsewhere' });
      this.toldClaimedElsewhere.add(iteration);
      return 'elsewhere';
    }
    try {
      if (claim.tookOver) {
        const reaped = await this.deps.executor.reap({ sweepId: ctx.sweepId, includeLiveOwners: false });
        this.deps.events.emit({ type: 'warning', message: `took over ${runName(iteration)} from a process that died${reaped.length > 0 ? `; removed its container(s) ${reaped.join(', ')}` : ''}` });
      }
      // Someone may have finished it between the check and the claim.
      if (!isDone(await this.readResult(iteration), this.config.force, this.invocationStart)) return claim;
    } catch (error) {
      await claim.release();
      throw error;
    }
    await claim.release();
    return 'done';
  }

  /** Claims the next iteration of this worker's feed, or takes over one another worker prepared but has not started. */
  private async nextClaimed(ctx: IterationContext, feed: WorkerFeed, deferred: Set<number>): Promise<Lookahead | null> {
    const own = await this.claimFrom(ctx, () => feed.next(), deferred);
    if (own !== null) return own;
    // Another worker may be claiming one ahead right now: wait for it rather than quit and leave
    // it behind that worker's current run.
    for (;;) {
      const spare = this.spare.shift();
      if (spare !== undefined || this.claimingAhead.size === 0 || this.stopKind !== null) return spare ?? null;
      await Promise.race(this.claimingAhead);
    }
  }

  private async claimFrom(ctx: IterationContext, take: () => number | null, deferred: Set<number>): Promise<Lookahead | null> {
    for (let iteration = take(); iteration !== null && this.stopKind === null; iteration = take()) {
      const claim = await this.acquire(ctx, iteration);
      if (claim === 'elsewhere') deferred.add(iteration);
      else if (claim !== 'done') return { iteration, claim, prepared: Promise.resolve(null) };
    }
    return null;
  }

  /**
   * Claims the worker's next iteration and creates its container while the current one runs, so
   * the set-up costs no wall time. It shares the spare list, so a worker left with nothing to do
   * runs it instead of waiting for this worker.
   */
  private async prepareAhead(ctx: IterationContext, feed: WorkerFeed, deferred: Set<number>): Promise<Lookahead | null> {
    let landed!: () => void;
    const landing = new Promise<void>((resolve) => (landed = resolve));
    if (feed.shareable) this.claimingAhead.add(landing);
    try {
      const ahead = await this.claimFrom(ctx, () => feed.nextAhead(), deferred);
      if (ahead === null) return null;
      const spec = () => iterationSpec(this.config, { id: ctx.sweepId, dir: this.layout.dir }, ahead.iteration, this.owner);
      ahead.prepared = this.halt.signal.aborted ? Promise.resolve(null) : Promise.resolve().then(() => ctx.executor.prepare(spec())).catch(() => null);
      if (feed.shareable) {
        ahead.shared = true;
        this.spare.push(ahead);
      }
      return ahead;
    } finally {
      this.claimingAhead.delete(landing);
      landed();
    }
  }

  /** Takes a prepared iteration off the spare list for the worker that prepared it; false when another worker took it. */
  private takeBack(ahead: Lookahead): boolean {
    if (!ahead.shared) return true;
    const index = this.spare.indexOf(ahead);
    if (index === -1) return false;
    this.spare.splice(index, 1);
    return true;
  }

  private async abandon(ahead: Lookahead): Promise<void> {
    await (await ahead.prepared)?.discard().catch(() => undefined);
    await ahead.claim.release();
  }

  private async stoppedElsewhere(): Promise<boolean> {
    const marker = await readStopMarker(this.layout, this.invocationStart);
    if (marker === null) return false;
    this.stop('limit', `another process of this sweep stopped it: ${marker.reason}`);
    return true;
  }

  /**
   * Runs a claimed iteration (in its prepared container, if any), records it and lets the claim go.
   * `onSlotFree` is called as soon as the next iteration may start: when its container has exited and
   * its outcome cannot stop the sweep, recording (about 10 ms of file writes under the sweep lock)
   * goes on alongside the next container's start instead of ahead of it. It records after
   * `previous` (this worker's last iteration) is recorded, so each worker records in order.
   */
  private async runClaimed(
    ctx: IterationContext,
    ahead: Lookahead,
    hooks: { onStarted: () => void; onSlotFree: () => void },
    previous: Promise<void> | null,
  ): Promise<void> {
    const { iteration, claim } = ahead;
    let prepared: PreparedIteration | null = null;
    try {
      prepared = await ahead.prepared;
      if (this.stopKind !== null || (await this.stoppedElsewhere())) return;
      const onRunner = (runner: string) => {
        hooks.onStarted();
        return claim.setRunner(runner);
      };
      const outcome = await this.runWithRetries({ ...ctx, onRunner }, iteration, prepared);
      this.ranHere += 1;
      if (!this.mayStopSweep(outcome)) hooks.onSlotFree();
      await previous;
      this.lastResults = await recordResult(this.layout, outcome.result, this.render, this.onCompromised);
      this.deps.events.emit({ type: 'iteration-finished', iteration, result: outcome.result, sweepResults: this.lastResults });
      await this.afterIteration(outcome);
    } finally {
      // A no-op once started; otherwise (interrupted first, or the start never came) it goes now.
      await prepared?.discard().catch(() => undefined);
      await claim.release();
    }
  }

  /** Whether recording this outcome may stop the sweep, so the next iteration must wait for it. */
  private mayStopSweep(outcome: IterationOutcome): boolean {
    if (this.stopKind !== null || outcome.infrastructure || outcome.collectionFailure) return true;
    return this.failureLimit() !== null && outcome.result.status !== 'passed';
  }

  /** How many failing iterations stop the sweep (--until-fail is 1); null without a limit. */
  private failureLimit(): number | null {
    return this.config.untilFail ? 1 : this.config.maxFailures;
  }

  private async runWithRetries(ctx: IterationContext, iteration: number, prepared: PreparedIteration | null): Promise<IterationOutcome> {
    for (let retry = 0; ; retry += 1) {
      const outcome = await runIterationAttempt(ctx, iteration, retry === 0 ? prepared : null);
      if (!outcome.infrastructure || retry >= this.config.infraRetries || this.halt.signal.aborted) return outcome;
      const delayMs = 1000 * 2 ** retry;
      this.deps.events.emit({ type: 'iteration-retry', iteration, error: outcome.result.note ?? 'infrastructure error', delayMs, attemptsLeft: this.config.infraRetries - retry });
      await abortableDelay(delayMs, this.halt.signal);
    }
  }

  private async afterIteration(outcome: IterationOutcome): Promise<void> {
    const { result } = outcome;
    if (outcome.infrastructure && result.status === 'error') {
      this.consecutiveInfraErrors += 1;
      if (this.consecutiveInfraErrors >= this.config.maxConsecutiveInfraErrors) {
        this.stop('environment', `${this.consecutiveInfraErrors} iterations in a row could not run (last: ${result.note}); fix the infrastructure and run the same command again to resume`);
      }
    } else {
      this.consecutiveInfraErrors = 0;
    }
    if (outcome.collectionFailure && this.normalRuns === 0) {
      this.stop('collection', `${result.note}; check --pytest-nodeid, --workdir and --mount`);
    }
    if (isVerdict(result)) this.normalRuns += 1;
    const limit = this.failureLimit();
    if (limit !== null && this.stopKind === null) {
      const failing = this.lastResults.filter((r) => r.status === 'failed' && Date.parse(r.finishedAt) >= this.invocationStart);
      if (failing.length >= limit) {
        const runs = failing.slice(0, 5).map((r) => runName(r.iteration)).join(', ') + (failing.length > 5 ? ', …' : '');
        const reason = `${failing.length} failing iteration(s) (${runs}) reached ${this.config.untilFail ? '--until-fail' : `--max-failures ${limit}`}`;
        await writeStopMarker(this.layout, { reason, createdAt: new Date().toISOString(), byPid: this.owner.pid, byHost: this.owner.host });
        this.stop('limit', reason);
      }
    }
  }

  /** Waits for iterations other processes hold: they finish them, or die and this process takes over. */
  private async awaitOthers(ctx: IterationContext, deferred: Set<number>): Promise<void> {
    while (deferred.size > 0 && this.stopKind === null) {
      for (const iteration of [...deferred]) {
        if (this.stopKind !== null) return;
        if (isDone(await this.readResult(iteration), false, 0) || (await this.process(ctx, iteration))) deferred.delete(iteration);
      }
      if (deferred.size > 0) await abortableDelay(CLAIM_POLL_MS, this.halt.signal);
    }
  }

  private stop(kind: StopKind, reason: string): void {
    if (this.stopKind !== null) return;
    this.stopKind = kind;
    this.stopReason = reason;
    this.deps.events.emit({ type: 'sweep-stopping', reason });
  }

  private exitCode(inRange: IterationResult[]): number {
    if (this.stopKind === 'interrupted') return ExitCode.interrupted;
    if (this.stopKind === 'environment') return ExitCode.environment;
    if (this.stopKind === 'collection') return ExitCode.usage;
    const expected = this.config.end - this.config.start + 1;
    const allPassed = inRange.length === expected && inRange.every((r) => r.status === 'passed');
    return allPassed ? ExitCode.ok : ExitCode.failures;
  }

  private readResult(iteration: number): Promise<IterationResult | null> {
    return readJsonIfExists<IterationResult>(this.layout.resultJson(iteration)).catch(() => null);
  }

  private readonly onCompromised = (error: Error): void => {
    this.deps.events.emit({ type: 'warning', message: `a lock was lost (${error.message}); another process may take over this iteration` });
  };
}

