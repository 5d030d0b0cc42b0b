import { PassThrough, type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type Docker from 'dockerode';

import { LogCursor, sinceParameter, type Aligner } from './log-cursor.js';
import { type LogFrame, LogFrameParser } from './log-frames.js';

/** How long the catch-up read may go without a byte before the rest of the log is given up. */
const CATCH_UP_IDLE_MS = 15_000;

/**
 * A service's console, stdout and stderr in the order the node logged them, into `output`: live
 * from a follow request, then (once the task has ended) the rest from a non-follow request that
 * starts where the follow stream had got to. See LogCursor for why both are needed.
 */
export class TaskLogs {
  readonly output = new PassThrough();
  private readonly cursor = new LogCursor();
  /** The request being read: the follow one, then the one that reads the rest. */
  private source: Readable | null = null;
  private following = true;
  private aborted = false;
  private finishing: Promise<void> | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly serviceId: string,
  ) {}

  /** Starts following; the task need not exist yet. Errors end the follow stream quietly (finish() reads the rest). */
  async start(): Promise<void> {
    const source = await openLogs(this.docker, `/services/${this.serviceId}`, { follow: true });
    if (!this.following) {
      source.destroy();
      return;
    }
    this.source = source;
    const sink = this.sink((frame) => {
      if (!this.following) return false;
      this.cursor.record(frame);
      return true;
    });
    // Ends in an error when stopFollowing() destroys the request: what it missed, finish() reads.
    pipeline(source, new LogFrameParser(), sink).catch(() => undefined);
  }

  /**
   * Once the task has ended: reads what the follow stream has not delivered yet, then ends the
   * output. From the task's own log: after stop() the service has a second task (never run).
   */
  finish(taskId: string): Promise<void> {
    this.finishing ??= (async () => {
      this.stopFollowing();
      const aligner = this.cursor.aligner();
      try {
        await this.readRest(taskId, aligner);
        if (!aligner.found) this.note('the log read after the task ended does not contain what was already streamed');
      } catch (error) {
        this.note((error as Error).message);
      } finally {
        if (!this.output.writableEnded) this.output.end();
      }
    })();
    return this.finishing;
  }

  /** Ends the output now, after what it already holds (the node is gone, or the service is being removed). */
  abort(): void {
    this.stopFollowing();
    this.aborted = true;
    this.source?.destroy();
    this.finishing ??= Promise.resolve();
    if (!this.output.writableEnded) this.output.end();
  }

  private stopFollowing(): void {
    this.following = false;
    this.source?.destroy();
  }

  private async readRest(taskId: string, aligner: Aligner): Promise<void> {
    const source = await openLogs(this.docker, `/tasks/${taskId}`, { follow: false, since: sinceParameter(this.cursor.since()) });
    if (this.aborted) {
      source.destroy();
      return;
    }
    this.source = source;
    let timer: NodeJS.Timeout | undefined;
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => source.destroy(new Error(`no more of the log arrived for ${CATCH_UP_IDLE_MS / 1000} s`)), CATCH_UP_IDLE_MS);
    };
    idle();
    source.on('data', idle);
    try {
      await pipeline(source, new LogFrameParser(), this.sink((frame) => aligner.accept(frame)));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes the frames `take` accepts into the output, waiting for it to drain (backpressure up to the daemon). */
  private sink(take: (frame: LogFrame) => boolean): Writable {
    return new Writable({
      objectMode: true,
      write: (frame: LogFrame, _encoding, done) => {
        const out = this.output;
        if (out.writableEnded || out.destroyed || !take(frame)) return done();
        if (out.write(frame.message)) return done();
        const go = () => {
          out.off('drain', go);
          out.off('close', go);
          done();
        };
        out.on('drain', go);
        out.on('close', go);
      },
    });
  }

  private note(why: string): void {
    if (!this.output.writableEnded) this.output.write(`\n[flakehunt] the rest of this task's log could not be read from the swarm (${why}); run.log may be incomplete\n`);
  }
}

/**
 * A service's or task's logs (`of`: /services/ID or /tasks/ID) as a raw multiplexed stream:
 * dockerode buffers non-follow responses whole otherwise. The query goes in `options`: docker-modem
 * cuts the last character off a path that holds a "?" when there are no options.
 */
async function openLogs(docker: Docker, of: string, options: { follow: boolean; since?: string }): Promise<Readable> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `${of}/logs?`,
        method: 'GET',
        isStream: true,
        options: { stdout: true, stderr: true, timestamps: true, ...options },
        statusCodes: { 200: true, 404: 'no such service', 500: 'server error', 503: 'node is not part of a swarm' },
      },
      (error: Error | null, stream: unknown) => (error ? reject(error) : resolve(stream as Readable)),
    );
  });
}
