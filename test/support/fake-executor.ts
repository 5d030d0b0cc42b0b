import { mkdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';

import type { AppliedPerturbation } from '../../src/core/conditions.js';
import type { EnvironmentCheck, Executor, ExitInfo, IterationSpec, PreparedIteration, ReapFilter, RunningIteration } from '../../src/executors/executor.js';
import { preparedIteration } from '../../src/executors/executor.js';

/** How one fake run behaves. */
export interface FakeRun {
  /** Console lines, printed at once when the run starts. */
  output?: string[];
  /** The exit code once it ends by itself (default 0). */
  exitCode?: number;
  /** Never ends by itself: only stop() ends it (exit 137). */
  hang?: boolean;
  /** Ends (printing `output` first) only once this settles. */
  gate?: Promise<void>;
  /** start() fails with this message: an infrastructure error. */
  startError?: string;
  /** What its run-time perturbation did, as the executor reports it. */
  applied?: AppliedPerturbation;
}

/** Decides each run: by iteration, the how-many-th start of that iteration (1, 2, …), and its spec. */
export type FakeScript = (iteration: number, start: number, spec: IterationSpec) => FakeRun;

/** What the fake saw, in order: for assertions on the engine's use of its executor. */
export type FakeEvent = { kind: 'prepare' | 'start' | 'stop' | 'discard' | 'cleanup'; iteration: number };

/**
 * An in-memory executor for the engine's unit tests: runs nothing, prints what the script says,
 * and records every call. It keeps the Executor contract (each method safe in any state, cleanup
 * idempotent, a prepared iteration starts at most once).
 */
export class FakeExecutor implements Executor {
  readonly kind = 'fake';
  readonly events: FakeEvent[] = [];
  readonly reaps: ReapFilter[] = [];
  readonly live = new Set<number>();
  private readonly starts = new Map<number, number>();
  /** Iterations whose container exists now (prepared or running, not cleaned up). */
  readonly existing = new Set<string>();

  constructor(
    private readonly script: FakeScript,
    private readonly preflightError: Error | null = null,
    private readonly preflightGate: Promise<void> = Promise.resolve(),
  ) {}

  async ping(): Promise<void> {}

  async checkEnvironment(): Promise<EnvironmentCheck[]> {
    return [{ name: 'fake', status: 'ok', detail: 'in memory' }];
  }

  async preflight(): Promise<{ imageId: string | null }> {
    await this.preflightGate;
    if (this.preflightError !== null) throw this.preflightError;
    return { imageId: 'sha256:fake' };
  }

  describe(spec: IterationSpec): unknown {
    return { argv: spec.argv };
  }

  /** Iterations in the order they started. */
  get startedOrder(): number[] {
    return this.events.filter((e) => e.kind === 'start').map((e) => e.iteration);
  }

  count(kind: FakeEvent['kind'], iteration?: number): number {
    return this.events.filter((e) => e.kind === kind && (iteration === undefined || e.iteration === iteration)).length;
  }

  async prepare(spec: IterationSpec): Promise<PreparedIteration> {
    const { iteration } = spec;
    this.events.push({ kind: 'prepare', iteration });
    this.existing.add(spec.name);
    return preparedIteration(spec.name, async () => {
      const start = (this.starts.get(iteration) ?? 0) + 1;
      this.starts.set(iteration, start);
      const run = this.script(iteration, start, spec);
      if (run.startError !== undefined) {
        this.existing.delete(spec.name);
        throw new Error(run.startError);
      }
      this.events.push({ kind: 'start', iteration });
      this.live.add(iteration);
      return new FakeIteration(spec, run, this);
    }, async () => {
      this.events.push({ kind: 'discard', iteration });
      this.existing.delete(spec.name);
    });
  }

  async start(spec: IterationSpec): Promise<RunningIteration> {
    return (await this.prepare(spec)).start();
  }

  async reap(filter: ReapFilter): Promise<string[]> {
    this.reaps.push(filter);
    return [];
  }

  /** Called by a fake run when it is cleaned up. */
  forget(spec: IterationSpec): void {
    this.events.push({ kind: 'cleanup', iteration: spec.iteration });
    this.live.delete(spec.iteration);
    this.existing.delete(spec.name);
  }
}

class FakeIteration implements RunningIteration {
  readonly id: string;
  readonly output = new PassThrough();
  readonly exited: Promise<ExitInfo>;
  private end!: (exit: ExitInfo) => void;
  private cleaned = false;

  constructor(
    private readonly spec: IterationSpec,
    private readonly run: FakeRun,
    private readonly executor: FakeExecutor,
  ) {
    this.id = `fake-${spec.iteration}`;
    this.exited = new Promise((resolve) => (this.end = resolve));
    this.exited.then(() => this.output.end());
    for (const line of run.output ?? []) this.output.write(`${line}\n`);
    if (!run.hang) void (run.gate ?? Promise.resolve()).then(() => this.end({ exitCode: run.exitCode ?? 0, signal: null }));
  }

  async forensics(): Promise<string> {
    return 'fake forensics';
  }

  applied(): AppliedPerturbation | null {
    return this.run.applied ?? null;
  }

  async stop(): Promise<void> {
    this.executor.events.push({ kind: 'stop', iteration: this.spec.iteration });
    this.end({ exitCode: 137, signal: 'SIGKILL' });
    await this.exited;
  }

  async collectArtifacts(destDir: string): Promise<void> {
    await mkdir(destDir, { recursive: true });
  }

  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    this.end({ exitCode: 137, signal: 'SIGKILL' });
    if (!this.output.writableEnded) this.output.end();
    this.executor.forget(this.spec);
  }
}
