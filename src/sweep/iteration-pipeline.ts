import type { IterationConditions } from '../core/conditions.js';
import { hitsTarget } from '../core/hunt-target.js';
import { failedInOrder, type IterationResult } from '../core/result.js';
import type { SequentialPlan } from '../stats/sequential.js';
import { describeAnswer, firstAnswer, type SequentialQuestion } from '../stats/sequential-question.js';
import type { PreparedIteration } from '../executors/executor.js';
import type { CompromisedHandler } from '../store/locks.js';
import { recordResult, type SummaryRenderer } from '../store/results-store.js';
import type { Claimer } from './claimer.js';
import type { Lookahead } from './lookahead.js';
import { type IterationContext, type IterationOutcome, runIterationAttempt } from './run-iteration.js';
import type { SweepState } from './sweep-state.js';
import { INITIAL_POLICY_STATE, judgeOutcome, mayStopSweep, type PolicyState, stopBeforeStart } from './stop-policy.js';
import { writeStopMarker } from './stop-marker.js';

export interface PipelineHooks {
  /** The container runs: the worker may prepare its next one. */
  onStarted(): void;
  /** The next iteration may start: this one's outcome cannot stop the sweep. */
  onSlotFree(): void;
}

/**
 * Runs claimed iterations to recorded results: retries after infrastructure errors, records
 * each result under the sweep lock, and applies the stop policy. Recording (about 10 ms of file
 * writes under the lock) goes on alongside the next iteration's start unless the result may stop
 * the sweep; each worker records its results in order.
 */
export class IterationPipeline {
  private policy: PolicyState = INITIAL_POLICY_STATE;

  constructor(
    private readonly ctx: IterationContext,
    private readonly state: SweepState,
    private readonly claimer: Claimer,
    private readonly render: SummaryRenderer,
    private readonly onCompromised: CompromisedHandler,
    private readonly invocationStart: number,
    private readonly decision: { question: SequentialQuestion; plan: SequentialPlan } | null = null,
  ) {}

  /** Runs a claimed iteration (in its prepared container, if any), records it after `previous`, and lets the claim go. */
  async runClaimed(ahead: Lookahead, hooks: PipelineHooks, previous: Promise<void> | null): Promise<void> {
    const { iteration, claim, conditions } = ahead;
    let prepared: PreparedIteration | null = null;
    try {
      prepared = await ahead.prepared;
      if (this.state.stopping || (await this.claimer.stoppedElsewhere())) return;
      const onRunner = (runner: string) => {
        hooks.onStarted();
        return claim.setRunner(runner);
      };
      const outcome = await this.runWithRetries({ ...this.ctx, onRunner }, iteration, conditions, prepared);
      this.state.ranHere += 1;
      if (!this.state.stopping && !mayStopSweep(this.ctx.config.stop, outcome)) hooks.onSlotFree();
      await previous;
      this.state.lastResults = await recordResult(this.ctx.layout, outcome.result, this.render, this.onCompromised);
      this.ctx.events.emit({ type: 'iteration-finished', iteration, result: outcome.result, sweepResults: this.state.lastResults });
      await this.applyPolicy(outcome);
    } finally {
      // A no-op once started; otherwise (interrupted first, or the start never came) it goes now.
      await prepared?.discard().catch(() => undefined);
      await claim.release();
    }
  }

  private async runWithRetries(ctx: IterationContext, iteration: number, conditions: IterationConditions, prepared: PreparedIteration | null): Promise<IterationOutcome> {
    const { infraRetries } = ctx.config.schedule;
    for (let retry = 0; ; retry += 1) {
      const outcome = await runIterationAttempt(ctx, iteration, conditions, retry === 0 ? prepared : null);
      if (!outcome.infrastructure || retry >= infraRetries || this.state.halt.signal.aborted) return outcome;
      const delayMs = 1000 * 2 ** retry;
      ctx.events.emit({ type: 'iteration-retry', iteration, error: outcome.result.note ?? 'infrastructure error', delayMs, attemptsLeft: infraRetries - retry });
      await ctx.clock.sleep(delayMs, this.state.halt.signal);
    }
  }

  /** The sequential test's answer on the counted iterations in order from the range's start, if it has one. */
  private answer(results: IterationResult[]): { text: string; good: boolean } | null {
    if (this.decision === null) return null;
    const found = firstAnswer(this.decision.plan, failedInOrder(results, this.ctx.config.schedule.start));
    if (found === null) return null;
    const good = found.answer === 'fixed' || found.answer === 'better';
    return { text: `decided after ${found.after} iteration(s) (${found.failures} failed): ${describeAnswer(this.decision.question, found.answer)}`, good };
  }

  /** Stops a resumed sweep whose results already answer it, before anything starts (see stopBeforeStart). */
  stopIfAlreadyDone(existing: IterationResult[]): void {
    const { reproduce } = this.ctx.config.stop;
    const stop = stopBeforeStart(this.ctx.config.stop, {
      reproductions: reproduce === null ? [] : existing.filter((r) => hitsTarget(r, reproduce.target)),
      answer: this.answer(existing),
    });
    if (stop !== null) this.state.requestStop(stop.kind, stop.reason, stop.good);
  }

  private async applyPolicy(outcome: IterationOutcome): Promise<void> {
    const results = this.state.lastResults;
    const { reproduce } = this.ctx.config.stop;
    const judged = judgeOutcome(this.ctx.config.stop, this.policy, outcome, {
      failingSinceStart: results.filter((r) => r.status === 'failed' && Date.parse(r.finishedAt) >= this.invocationStart),
      reproductions: reproduce === null ? [] : results.filter((r) => hitsTarget(r, reproduce.target)),
      answer: this.answer(results),
    });
    this.policy = judged.state;
    if (judged.stop === null || this.state.stopping) return;
    if (judged.limitReached) {
      const { owner } = this.ctx;
      await writeStopMarker(this.ctx.layout, { reason: judged.stop.reason, createdAt: new Date(this.ctx.clock.now()).toISOString(), byPid: owner.pid, byHost: owner.host });
    }
    this.state.requestStop(judged.stop.kind, judged.stop.reason, judged.stop.good);
  }
}
