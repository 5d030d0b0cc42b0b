import { Transform, type TransformCallback } from 'node:stream';

import type { Classification, Parallelism, PluginEvent, RunExit, RunnerMode } from '../classify/classification.js';
import { RunClassifier } from '../classify/classifier.js';
import { lineFeeder } from '../classify/classify-log.js';
import { LineSplitter } from '../classify/line-splitter.js';
import type { Taxonomy } from '../classify/taxonomy-types.js';

/**
 * A pass-through on the way to run.log that classifies the bytes as they go by, so a finished
 * iteration need not read its log a second time (for a 2 GB log that second pass took longer
 * than a third of the run). It sees exactly the bytes written to run.log, harness markers
 * included, and feeds them as `classifyLog` does (`lineFeeder`): live and offline answers agree.
 */
export class ClassifyingTee extends Transform {
  private readonly classifier: RunClassifier;
  private readonly splitter: LineSplitter;
  private ended = false;

  constructor(taxonomy: Taxonomy, parallelism: Parallelism, mode: RunnerMode) {
    super();
    this.classifier = new RunClassifier(taxonomy, parallelism, mode);
    this.splitter = new LineSplitter(lineFeeder(this.classifier));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.splitter.push(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.splitter.end();
    this.ended = true;
    done();
  }

  /** Whether every byte has gone through (if not, classify from the file instead). */
  get complete(): boolean {
    return this.ended;
  }

  finish(exit: RunExit, pluginEvents: Iterable<PluginEvent>): Classification {
    if (!this.ended) throw new Error('ClassifyingTee.finish() before the end of the output');
    return this.classifier.finish(exit, pluginEvents);
  }
}
