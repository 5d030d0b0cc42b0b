import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { classifyLog } from '../../../src/classify/classify-log.js';
import { UNCLASSIFIED } from '../../../src/core/result.js';
import { pairs, taxonomy } from './helpers.js';

const TESTS = 3000;
const NOISE_LINES_PER_TEST = 1050;
/** Failing tests, spread through the log, and the failures-section line that says why (A1 and A2 are the seed's tests). */
const FAILING: Record<number, { line: string; class: string; name?: string }> = {
  150: { line: 'E       AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events, got 2', class: 'A1', name: 'test_router_decisions[jetstream-tcp]' },
  900: { line: 'E       AssertionError: Router states have different numbers of events', class: 'A2', name: 'test_indexers_sync[file]' },
  1700: { line: 'E       Failed: Timeout (>90.0s) from pytest-timeout.', class: 'A3' },
  2600: { line: "E       RuntimeError: Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace", class: 'A5' },
  2999: { line: 'E       ValueError: nothing any rule knows', class: UNCLASSIFIED },
};

const nameOf = (t: number) => FAILING[t]?.name ?? `test_${t}`;

let dir: string;
let log: string;

/** Streams a ~300 MB pytest -s -v console out to disk, chunk by chunk, honouring backpressure. */
async function writeBigLog(file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    [
      '============================= test session starts ==============================',
      'platform linux -- Python 3.11.2, pytest-8.3.4, pluggy-1.5.0 -- /usr/bin/python3',
      'rootdir: /suite',
      `collecting ... collected ${TESTS} items`,
      '',
      '',
    ].join('\n'),
  );
  const failingIds = Object.keys(FAILING).map(Number);
  for (let t = 0; t < TESTS; t += 1) {
    const lines = [`t.py::${nameOf(t)} `];
    for (let n = 0; n < NOISE_LINES_PER_TEST; n += 1) {
      lines.push(`DEBUG router.kv: test ${t} event ${n} applied for worker 7 dp_rank 0 block_hash=0x${(t * 1_000_003 + n).toString(16).padStart(12, '0')} ok`);
    }
    const percent = String(Math.floor(((t + 1) * 100) / TESTS)).padStart(3);
    lines.push(`${failingIds.includes(t) ? 'FAILED' : 'PASSED'}                                                         [${percent}%]`);
    await write(`${lines.join('\n')}\n`);
  }
  const failures = ['', '=================================== FAILURES ==================================='];
  for (const t of failingIds) {
    failures.push(
      `________________________________ ${nameOf(t)} _________________________________`,
      '',
      `    def ${nameOf(t).replace(/\[.*/, '')}():`,
      '>       check()',
      FAILING[t]!.line,
      '',
      't.py:12: Failed',
    );
  }
  failures.push('=========================== short test summary info ============================');
  for (const t of failingIds) failures.push(`FAILED t.py::${nameOf(t)} - ${FAILING[t]!.line.replace(/^E\s+/, '')}`);
  failures.push(`================ ${failingIds.length} failed, ${TESTS - failingIds.length} passed in 5400.12s (1:30:00) ================`);
  await write(`${failures.join('\n')}\n`);
  out.end();
  await once(out, 'close');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-big-log-'));
  log = path.join(dir, 'run.log');
  await writeBigLog(log);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('classifyLog on a big log', () => {
  it('classifies a ~300 MB log in bounded memory', async () => {
    const size = (await stat(log)).size;
    expect(size).toBeGreaterThan(290 * 1024 * 1024);

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    let c;
    try {
      c = await classifyLog({ log, artifactsDir: null, taxonomy: await taxonomy(), parallelism: 'serial', mode: 'pytest', exit: { exitCode: 1, killedBy: null } });
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(pairs(c)).toEqual(
      Object.entries(FAILING)
        .map(([t, f]) => ({ test: `t.py::${nameOf(Number(t))}`, class: f.class }))
        .sort((a, b) => a.test.localeCompare(b.test)),
    );
    expect(c.classes).toEqual(['A1', 'A2', 'A3', 'A5', UNCLASSIFIED]);
    expect(c.status).toBe('failed');
    expect(c.tests).toEqual({ passed: TESTS - 5, failed: 5 });
    expect(c.failures.find((f) => f.test === 't.py::test_2999')!.message).toBe('ValueError: nothing any rule knows');
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  }, 120_000);
});
