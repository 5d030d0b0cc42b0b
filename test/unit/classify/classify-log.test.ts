import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { classifyLog, forEachLine, PLUGIN_REPORTS_DIR, readPluginEvents } from '../../../src/classify/classify-log.js';
import { CUT_MARK, MAX_LINE_BYTES } from '../../../src/classify/line-splitter.js';
import { HEADER, pairs, taxonomy } from './helpers.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-classify-log-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('forEachLine', () => {
  it('gives the lines of a file read in several chunks, a character cut at a chunk boundary included', async () => {
    // Reads go 1 MiB at a time: '✓' (3 bytes) is put across the first boundary, a 3 MB line spans
    // the next ones (and is cut to MAX_LINE_BYTES), and the file ends without a newline.
    const filler = Array.from({ length: 10_485 }, () => 'a'.repeat(99));
    const before = filler.length * 100;
    const across = `${'b'.repeat((1 << 20) - 1 - before)}✓ ok`;
    const file = path.join(dir, 'chunks.log');
    await writeFile(file, [...filler, across, 'y'.repeat(3_000_000), 'naïve', '', 'last'].join('\n'));
    const seen: string[] = [];
    await forEachLine(file, (line) => seen.push(line));
    expect(seen).toEqual([...filler, across, `${'y'.repeat(MAX_LINE_BYTES)}${CUT_MARK}`, 'naïve', '', 'last']);
  });
});

describe('readPluginEvents', () => {
  it('reads every reports file in order and skips a torn last line', async () => {
    const reports = path.join(dir, 'artifacts', PLUGIN_REPORTS_DIR);
    await mkdir(reports, { recursive: true });
    await writeFile(path.join(reports, 'reports-gw0-11.jsonl'), `${JSON.stringify({ event: 'start', nodeid: 't.py::a', worker: 'gw0' })}\n{"event": "report", "nodeid": "t.py::a", "wh`);
    await writeFile(path.join(reports, 'reports-gw1-12.jsonl'), `${JSON.stringify({ event: 'start', nodeid: 't.py::b', worker: 'gw1' })}\n\n`);
    await writeFile(path.join(reports, 'stacks-gw0-11.txt'), 'not events');
    const events = await readPluginEvents(path.join(dir, 'artifacts'));
    expect(events).toEqual([
      { event: 'start', nodeid: 't.py::a', worker: 'gw0' },
      { event: 'start', nodeid: 't.py::b', worker: 'gw1' },
    ]);
  });

  it('is empty without an artifacts folder', async () => {
    expect(await readPluginEvents(path.join(dir, 'nothing-here'))).toEqual([]);
  });
});

describe('classifyLog', () => {
  it('classifies a coloured CRLF log file together with the plugin reports in the artifacts folder', async () => {
    const log = path.join(dir, 'run.log');
    const lines = [
      ...HEADER.split('\n'),
      '\x1b[32mt.py::test_y PASSED\x1b[0m                                                    [ 50%]',
      't.py::test_x ',
    ];
    await writeFile(log, `${lines.join('\r\n')}`);
    const reports = path.join(dir, 'artifacts', PLUGIN_REPORTS_DIR);
    await mkdir(reports, { recursive: true });
    await writeFile(
      path.join(reports, 'reports-main-7.jsonl'),
      [
        { event: 'start', nodeid: 't.py::test_x', worker: 'main' },
        { event: 'report', nodeid: 't.py::test_x', worker: 'main', when: 'call', outcome: 'failed', message: 'Failed: Timeout (>90.0s) from pytest-timeout.' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const c = await classifyLog({
      log,
      artifactsDir: path.join(dir, 'artifacts'),
      taxonomy: await taxonomy(),
      parallelism: 'serial',
      mode: 'pytest',
      exit: { exitCode: 1, killedBy: null },
    });
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A3' }]);
    expect(c.tests.passed).toBe(1);
  });

  it('rejects when the log does not exist', async () => {
    await expect(
      classifyLog({ log: path.join(dir, 'missing.log'), artifactsDir: null, taxonomy: await taxonomy(), parallelism: 'serial', mode: 'pytest', exit: { exitCode: 1, killedBy: null } }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
