import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { Classification } from './classification.js';
import { classifyLog } from './classify-log.js';
import { type JobMessage, type LogJob, type ResultMessage, workerStart } from './classify-pool-protocol.js';
import type { Taxonomy } from './taxonomy-types.js';

/** Below this many logs, starting worker threads costs more than it saves. */
export const MIN_LOGS_FOR_WORKERS = 8;

/** Each worker takes about 90 MB of memory; past this many the disk and this thread set the pace anyway. */
const MAX_THREADS = 16;

/** Logs a worker holds at once: while one waits for the disk, the other keeps the thread busy. */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Young-generation size of a worker, above V8's default: fewer scavenges of the lines and node
 * ids of a log take 4% less CPU, for about 28 MB more RSS per worker.
 */
const WORKER_YOUNG_GENERATION_MB = 96;

/** The compiled worker, next to this file in dist/. Run from the TypeScript sources it does not exist. */
const WORKER_SCRIPT = new URL('./classify-worker.js', import.meta.url);

export interface PoolOptions {
  /** How many logs will be classified: below MIN_LOGS_FOR_WORKERS, no worker is started. */
  jobs: number;
  /** Worker threads to start at most; by default one per CPU, up to MAX_THREADS. Fewer than 2 means none. */
  threads?: number;
  workerScript?: URL;
}

interface Task {
  job: LogJob;
  resolve: (classification: Classification) => void;
  reject: (error: unknown) => void;
}

interface PoolWorker {
  worker: Worker;
  inFlight: Map<number, Task>;
}

/**
 * Classifies logs with one taxonomy on worker threads, each classifying whole logs; every result
 * is what classifyLog gives for the log. A log no worker delivers (no worker threads, a worker
 * died, the log could not be read) is classified in this thread, one at a time, so failures
 * reject with the same errors as classifyLog. Call close() when done.
 */
export class ClassifyPool {
  private readonly queue: Task[] = [];
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  private inThisThread: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly taxonomy: Taxonomy,
    options: PoolOptions,
  ) {
    const script = options.workerScript ?? WORKER_SCRIPT;
    const threads = Math.min(options.threads ?? Math.min(os.availableParallelism(), MAX_THREADS), options.jobs);
    if (options.jobs < MIN_LOGS_FOR_WORKERS || threads < 2 || !existsSync(fileURLToPath(script))) return;
    const workerData = workerStart(taxonomy);
    for (let t = 0; t < threads; t += 1) {
      try {
        this.startWorker(new Worker(script, { workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }));
      } catch {
        break; // No worker threads here: every log is classified in this thread.
      }
    }
  }

  /** How many worker threads are running. */
  get threads(): number {
    return this.workers.length;
  }

  classify(job: LogJob): Promise<Classification> {
    return new Promise((resolve, reject) => {
      const task = { job, resolve, reject };
      if (this.workers.length === 0) {
        this.classifyHere(task);
        return;
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Stops the workers; logs still being classified are abandoned (their promises never settle). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private startWorker(worker: Worker): void {
    const entry: PoolWorker = { worker, inFlight: new Map() };
    this.workers.push(entry);
    worker.unref();
    worker.on('message', ({ id, ...answer }: ResultMessage) => {
      const task = entry.inFlight.get(id)!;
      entry.inFlight.delete(id);
      if (entry.inFlight.size === 0) worker.unref();
      if (answer.ok) task.resolve(answer.result);
      else this.classifyHere(task);
      this.dispatch();
    });
    // An error is followed by 'exit'; listening keeps it from being thrown in this thread.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      this.workers.splice(this.workers.indexOf(entry), 1);
      if (this.closed) return;
      for (const task of entry.inFlight.values()) this.classifyHere(task);
      if (this.workers.length === 0) for (const task of this.queue.splice(0)) this.classifyHere(task);
    });
  }

  private dispatch(): void {
    for (const entry of this.workers) {
      while (entry.inFlight.size < IN_FLIGHT_PER_WORKER && this.queue.length > 0) {
        const task = this.queue.shift()!;
        const id = this.nextId;
        this.nextId += 1;
        entry.inFlight.set(id, task);
        // Referenced only while it has work, so an idle pool never keeps the process alive.
        entry.worker.ref();
        entry.worker.postMessage({ id, job: task.job } satisfies JobMessage);
      }
    }
  }

  private classifyHere(task: Task): void {
    this.inThisThread = this.inThisThread.then(() => classifyLog({ ...task.job, taxonomy: this.taxonomy }).then(task.resolve, task.reject));
  }
}
