import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Classification } from '../../../src/classify/classification.js';
import { classifyLog } from '../../../src/classify/classify-log.js';
import { ClassifyPool, MIN_LOGS_FOR_WORKERS } from '../../../src/classify/classify-pool.js';
import type { LogJob } from '../../../src/classify/classify-pool-protocol.js';
import { compileClassifyWorker } from './compiled-worker.js';
import { taxonomy } from './helpers.js';

const CORPUS = path.resolve('test/fixtures/corpus');

/** Every corpus log, serial and under xdist as recorded, with its real exit code. */
function corpusJobs(): LogJob[] {
  return readdirSync(CORPUS)
    .filter((name) => statSync(path.join(CORPUS, name)).isDirectory())
    .sort()
    .map((name) => {
      const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as { exitCode: number; parallelism: string };
      return {
        log: path.join(CORPUS, name, 'run.log'),
        artifactsDir: null,
        parallelism: expected.parallelism === 'serial' ? 'serial' : 'xdist',
        mode: 'pytest',
        exit: { exitCode: expected.exitCode, killedBy: null },
      };
    });
}

async function inThisThread(jobs: LogJob[]): Promise<Classification[]> {
  const results: Classification[] = [];
  for (const job of jobs) results.push(await classifyLog({ ...job, taxonomy: await taxonomy() }));
  return results;
}

async function withPool(jobs: LogJob[], options: { threads?: number; workerScript?: URL }): Promise<{ threads: number; results: Classification[] }> {
  const pool = new ClassifyPool(await taxonomy(), { jobs: jobs.length, ...options });
  try {
    const threads = pool.threads;
    return { threads, results: await Promise.all(jobs.map((job) => pool.classify(job))) };
  } finally {
    await pool.close();
  }
}

describe('ClassifyPool', () => {
  let compiled: ReturnType<typeof compileClassifyWorker>;
  let scratch: string;
  beforeAll(() => {
    compiled = compileClassifyWorker();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'flakehunt-pool-'));
  });
  afterAll(() => {
    compiled.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('gives, on worker threads, what classifyLog gives in this thread, in the order of the jobs', async () => {
    const jobs = corpusJobs();
    expect(jobs.length).toBeGreaterThanOrEqual(MIN_LOGS_FOR_WORKERS);
    const pooled = await withPool(jobs, { threads: 2, workerScript: compiled.workerScript });
    expect(pooled.threads).toBe(2);
    expect(pooled.results).toEqual(await inThisThread(jobs));
  });

  it('classifies in this thread when there are few logs, or no worker script', async () => {
    const few = corpusJobs().slice(0, MIN_LOGS_FOR_WORKERS - 1);
    const small = await withPool(few, { threads: 2, workerScript: compiled.workerScript });
    expect(small.threads).toBe(0);
    expect(small.results).toEqual(await inThisThread(few));
    const all = corpusJobs();
    const missing = await withPool(all, { threads: 2, workerScript: pathToFileURL(path.join(scratch, 'no-such-worker.js')) });
    expect(missing.threads).toBe(0);
    expect(missing.results).toEqual(await inThisThread(all));
  });

  it('redoes in this thread the logs of a worker that dies', async () => {
    const dying = path.join(scratch, 'dying-worker.mjs');
    writeFileSync(dying, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => { throw new Error('worker broke'); });\n");
    const jobs = corpusJobs();
    const pooled = await withPool(jobs, { threads: 2, workerScript: pathToFileURL(dying) });
    expect(pooled.threads).toBe(2);
    expect(pooled.results).toEqual(await inThisThread(jobs));
  });

  it('rejects a log that cannot be read with the error classifyLog gives', async () => {
    const jobs = corpusJobs();
    const lost = { ...jobs[3]!, log: path.join(scratch, 'gone', 'run.log') };
    const pool = new ClassifyPool(await taxonomy(), { jobs: jobs.length, threads: 2, workerScript: compiled.workerScript });
    try {
      expect(pool.threads).toBe(2);
      const results = jobs.map((job, index) => pool.classify(index === 3 ? lost : job));
      await expect(results[3]).rejects.toMatchObject({ code: 'ENOENT', path: lost.log });
      expect(await results[4]).toEqual((await inThisThread([jobs[4]!]))[0]);
    } finally {
      await pool.close();
    }
  });
});
