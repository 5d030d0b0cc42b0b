import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';

import { parse, type TestSuite, type TestSuites } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../../../src/core/result.js';
import { writeSweepJunitFile } from '../../../../src/report/junit/sweep-junit.js';
import { writeJunit, type JunitOptions } from '../../../../src/report/junit/write-junit.js';
import { result } from '../fixtures.js';
import { validateJenkinsJunit } from './jenkins-schema.js';
import { EVENTS, EVIL, pluginEvents, RESULTS } from './junit-fixture.js';

const SWEEP = { name: 'serial_demo', dir: '/work/logs/serial_demo' };

async function junitOf(results: IterationResult[], options: JunitOptions = { pluginEvents }, sweep = SWEEP): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeJunit(results, sweep, out, options);
  return Buffer.concat(chunks).toString('utf8');
}

/** What a JUnit consumer sees of each suite: name, counts, and each case's outcome. */
function outcomes(suite: TestSuite) {
  return {
    name: suite.name,
    counts: [suite.tests, suite.failures, suite.errors, suite.skipped],
    cases: (suite.testcase ?? []).map((c) => `${c.classname}::${c.name} ${c.failure ? `failed:${c.failure.map((f) => f.type).join(',')}` : c.skipped ? 'skipped' : 'passed'}`),
  };
}

describe('writeJunit', () => {
  it('reads back in a JUnit reader with one suite per iteration and each case outcome', async () => {
    const parsed = (await parse(await junitOf(RESULTS))) as TestSuites;
    expect(parsed.name).toBe('serial_demo');
    expect(parsed.testsuite?.map(outcomes)).toEqual([
      { name: 'serial_demo@run001', counts: [2, 1, 0, 0], cases: ['tests.router.test_router::test_decisions[kv] failed:A1', 'tests.router.test_sync.TestSync::test_indexers passed'] },
      {
        name: 'serial_demo@run002',
        counts: [3, 0, 0, 1],
        cases: ['tests.router.test_router::test_decisions[kv] passed', 'tests.router.test_sync.TestSync::test_indexers passed', 'tests.test_skip::test_later skipped'],
      },
      { name: 'serial_demo@run003', counts: [1, 0, 0, 1], cases: ['flakehunt::whole-run skipped'] },
      { name: 'serial_demo@run004', counts: [2, 0, 0, 2], cases: ['tests.router.test_router::test_decisions[kv] skipped', 'tests.router.test_sync.TestSync::test_indexers skipped'] },
      { name: 'serial_demo@run005', counts: [2, 2, 0, 0], cases: ['tests.test_param::test_weird[<b>&"#x07] failed:UNCLASSIFIED', 'flakehunt::whole-run failed:UNCLASSIFIED'] },
    ]);
  });

  it('carries class, signature, message and log path of a failure, and why an iteration was no verdict', async () => {
    const parsed = (await parse(await junitOf(RESULTS))) as TestSuites;
    const [first, , error] = parsed.testsuite ?? [];
    const failure = first?.testcase?.[0]?.failure?.[0];
    expect(failure?.type).toBe('A1');
    // The attribute keeps the message's line break and quotes, escaped as references.
    expect(failure?.message).toBe('AssertionError: expected worker 1, got 2\n(and "more")');
    expect(failure?.inner).toBe(
      'class: A1\nsignature: a1f00d\nmessage: AssertionError: expected worker 1, got 2\n(and "more")\n' +
        'normalised: AssertionError: expected worker <n>, got <n>\nlog: /work/logs/serial_demo/run001/run.log',
    );
    expect(first?.['system-out']).toEqual(['log: /work/logs/serial_demo/run001/run.log']);
    const props = Object.fromEntries((error?.properties ?? []).map((p) => [p.name, p.value]));
    expect(props).toMatchObject({ 'flakehunt.status': 'error', 'flakehunt.counted': 'false', 'flakehunt.note': 'container did not start: no such image' });
    expect(JSON.stringify(error?.testcase?.[0]?.skipped)).toContain('infrastructure error, not a test verdict');
  });

  it('escapes markup and characters XML 1.0 cannot carry, and writes the logs relative to a folder when asked', async () => {
    const xml = await junitOf(RESULTS, { pluginEvents, pathsRelativeTo: '/work' });
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const parsed = (await parse(xml)) as TestSuites;
    const evil = parsed.testsuite?.[4]?.testcase?.[0];
    expect(evil?.name).toBe(EVIL.split('::')[1]!.replace('\u0007', '#x07'));
    expect(evil?.failure?.[0]?.message).toBe('ValueError: <#x00> ]]> & bad');
    expect(parsed.testsuite?.[0]?.['system-out']).toEqual(['log: logs/serial_demo/run001/run.log']);
  });

  it('validates against the Jenkins JUnit schema', async () => {
    const validation = await validateJenkinsJunit(await junitOf(RESULTS));
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it('is checked by a validator that does reject what the schema forbids', async () => {
    // pytest's <skipped message="…"/> is outside this (strict) schema, which types <skipped> as text only.
    const xml = '<testsuites><testsuite name="s" tests="1"><testcase name="t"><skipped message="why"/></testcase></testsuite></testsuites>';
    const validation = await validateJenkinsJunit(xml);
    expect(validation.valid).toBe(false);
    expect(validation.errors[0]?.message).toMatch(/skipped.*message.*not allowed/);
  });

  it('writes a 1,000-iteration sweep streaming: suites reach the stream before the last result is read', async () => {
    const TOTAL = 1000;
    let read = 0;
    let written = '';
    let suitesWhenLastWasRead = -1;
    let maxLead = 0;
    const suitesWritten = () => written.split('</testsuite>').length - 1;
    async function* results(): AsyncGenerator<IterationResult> {
      for (let i = 1; i <= TOTAL; i++) {
        if (i === TOTAL) suitesWhenLastWasRead = suitesWritten();
        maxLead = Math.max(maxLead, read - suitesWritten());
        read++;
        yield i % 10 === 0 ? result(i, 'failed', [{ test: 'tests/test_a.py::test_x', class: 'A1', message: `boom ${i}` }]) : result(i, 'passed');
      }
    }
    // A slow disk: each write completes on a later turn, with a buffer of 1 KiB.
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString('utf8');
        setImmediate(done);
      },
    });
    await writeJunit(results(), SWEEP, out, {});
    expect(read).toBe(TOTAL);
    expect(suitesWhenLastWasRead).toBeGreaterThanOrEqual(TOTAL - 3);
    // Reading never ran more than a few results ahead of what the stream had taken.
    expect(maxLead).toBeLessThanOrEqual(3);
    expect(suitesWritten()).toBe(TOTAL);
    const parsed = (await parse(written)) as TestSuites;
    expect(parsed.testsuite).toHaveLength(TOTAL);
    // Without plugin reports a failed iteration fails its test and its whole-run case.
    expect(parsed.testsuite?.filter((s) => s.failures === 2)).toHaveLength(100);
    const validation = await validateJenkinsJunit(written);
    expect(validation.errors.slice(0, 3)).toEqual([]);
  });

  it('rejects when the stream fails, rather than crash or hang', async () => {
    const out = new Writable({ write: (_chunk, _encoding, done) => done(new Error('disk full')) });
    await expect(writeJunit(RESULTS, SWEEP, out, {})).rejects.toThrow('disk full');
  });
});

describe('writeSweepJunitFile', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'flakehunt-junit-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('reads result.json files and the plugin reports of a sweep folder, paths relative to the file', async () => {
    const dir = path.join(root, 'logs', 'serial_demo');
    for (const r of RESULTS) {
      const run = path.join(dir, `run${String(r.iteration).padStart(3, '0')}`);
      await mkdir(path.join(run, 'artifacts', 'flakehunt'), { recursive: true });
      await writeFile(path.join(run, 'result.json'), JSON.stringify(r));
      const events = EVENTS[r.iteration];
      // Iteration 2's reports come from two xdist workers, one with a torn last line.
      if (events && r.iteration === 2) {
        await writeFile(path.join(run, 'artifacts/flakehunt/reports-gw0-10.jsonl'), events.slice(0, 4).map((e) => JSON.stringify(e)).join('\n') + '\n');
        await writeFile(path.join(run, 'artifacts/flakehunt/reports-gw1-11.jsonl'), events.slice(4).map((e) => JSON.stringify(e)).join('\n') + '\n{"event": "rep');
      } else if (events) {
        await writeFile(path.join(run, 'artifacts/flakehunt/reports-main-1.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      }
    }
    const file = path.join(root, 'junit.xml');
    await writeSweepJunitFile(dir, file);
    const xml = await readFile(file, 'utf8');
    expect(xml).toBe(await junitOf(RESULTS, { pluginEvents, pathsRelativeTo: root }, { name: 'serial_demo', dir }));
    expect(xml).toContain('<property name="flakehunt.log" value="logs/serial_demo/run001/run.log"/>');
    expect(await readdir(root)).toEqual(['junit.xml', 'logs']);
  });

  it('makes the folder it is to go in', async () => {
    const file = path.join(root, 'made', 'for', 'it', 'junit.xml');
    await writeSweepJunitFile(path.join(root, 'logs', 'serial_demo'), file);
    expect(existsSync(file)).toBe(true);
  });

  it('fails with the reason, leaving nothing behind, when the file cannot be written', async () => {
    const blocker = path.join(root, 'a-file');
    await writeFile(blocker, 'not a folder');
    await expect(writeSweepJunitFile(path.join(root, 'logs', 'serial_demo'), path.join(blocker, 'junit.xml'))).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(readdirSync(root).filter((name) => name.includes('.tmp'))).toEqual([]);
  });
});
