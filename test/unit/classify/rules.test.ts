import { describe, expect, it } from 'vitest';

import { UNCLASSIFIED } from '../../../src/core/result.js';
import { classify, HEADER, pairs, serialFailure } from './helpers.js';

const FINAL_2 = '========================= 1 failed, 1 passed in 0.10s ==========================';

describe('A3: pytest-timeout', () => {
  it('pytest-timeout ≥ 2.4: "Failed: Timeout (>90.0s) from pytest-timeout."', async () => {
    const c = await classify(serialFailure(['E       Failed: Timeout (>90.0s) from pytest-timeout.'], { summary: 'Failed: Timeout (>90.0s) from pytest-timeout.' }));
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A3' }]);
    expect(c.failures[0]!.message).toBe('Failed: Timeout (>90.0s) from pytest-timeout.');
    expect(c).toMatchObject({ status: 'failed', exitCodeMismatch: false, tests: { passed: 1, failed: 1 }, collectionFailure: false, note: null });
  });

  it('older pytest-timeout: "Failed: Timeout >90.0s"', async () => {
    const c = await classify(serialFailure(['E       Failed: Timeout >90.0s'], { summary: 'Failed: Timeout >90.0s' }));
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A3' }]);
    expect(c.failures[0]!.message).toBe('Failed: Timeout >90.0s');
  });

  it("the thread method's '+++ Timeout +++' dump that kills a serial run mid-test", async () => {
    const log = [
      HEADER,
      't.py::test_x ',
      '',
      '+++++++++++++++++++++++++++++++++++ Timeout ++++++++++++++++++++++++++++++++++++',
      '~~~~~~~~~~~~~~~~~~~~~~~~~ Stack of MainThread (140) ~~~~~~~~~~~~~~~~~~~~~~~~~~~',
      '  File "/suite/t.py", line 9, in test_x',
      '    time.sleep(100)',
      '+++++++++++++++++++++++++++++++++++ Timeout ++++++++++++++++++++++++++++++++++++',
    ].join('\n');
    const c = await classify(log, { exit: { exitCode: 1 } });
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A3' }]);
    expect(c.status).toBe('failed');
  });
});

describe('A2: router event-sync mismatch', () => {
  it('pytest ≥ 9 style: only a short-summary entry, no failures section', async () => {
    const log = [
      HEADER,
      't.py::test_x FAILED                                                    [ 50%]',
      't.py::test_y PASSED                                                    [100%]',
      '',
      '=========================== short test summary info ============================',
      'FAILED t.py::test_x - AssertionError: Router states have different numbers of events',
      FINAL_2,
    ].join('\n');
    const c = await classify(log);
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A2' }]);
    expect(c.failures[0]!.message).toBe('AssertionError: Router states have different numbers of events');
    expect(c.tests).toEqual({ passed: 1, failed: 1 });
  });

  it('a summary entry alone, without the outcome line (pytest -q --tb=no)', async () => {
    const log = [
      HEADER,
      '=========================== short test summary info ============================',
      'FAILED t.py::test_x - AssertionError: Router states have different numbers of events',
      '1 failed, 1 passed in 0.10s',
    ].join('\n');
    expect(pairs(await classify(log))).toEqual([{ test: 't.py::test_x', class: 'A2' }]);
  });

  it('the classic failures section with the captured "Router 1 has N events" line', async () => {
    const c = await classify(
      serialFailure([
        'E       AssertionError: Router states have different numbers of events',
        'E       assert 100 == 50',
        '',
        't.py:9: AssertionError',
        '----------------------------- Captured stdout call -----------------------------',
        'Router 1 has 100 events, Router 2 has 50 events',
      ], { summary: 'AssertionError: Router states h...' }),
    );
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A2' }]);
    // The E line is preferred over plain output as the message.
    expect(c.failures[0]!.message).toBe('AssertionError: Router states have different numbers of events');
  });

  it('"Router 1 has N events, Router 2 has M events" alone', async () => {
    const c = await classify(serialFailure(['Router 1 has 3 events, Router 2 has 4 events', 'E       assert 3 == 4']));
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A2' }]);
  });
});

describe('A1: KV prefix-routing assertion', () => {
  it.each([
    'E       AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events, got 2',
    'E       AssertionError: Expected all responses to have the same decode_worker_id',
  ])('%s', async (line) => {
    const c = await classify(serialFailure([line]));
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A1' }]);
    expect(c.failures[0]!.message).toBe(line.replace(/^E\s+/, ''));
  });
});

describe('A5: infrastructure / network', () => {
  it.each([
    "E       RuntimeError: Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace",
    'E       reqwest::Error: error sending request for url (https://huggingface.co/api/models/Qwen/Qwen3-0.6B)',
    'E       huggingface_hub.errors.LocalEntryNotFoundError: cannot find the requested files',
    'E       requests.exceptions.ReadTimeout: HTTPSConnectionPool(host=huggingface.co)',
    'E       requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url',
  ])('%s', async (line) => {
    expect(pairs(await classify(serialFailure([line])))).toEqual([{ test: 't.py::test_x', class: 'A5' }]);
  });

  it('noise from the network in a run that passed is not a failure', async () => {
    const log = [
      HEADER,
      "WARNING Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace, retrying",
      't.py::test_x PASSED                                                    [ 50%]',
      't.py::test_y PASSED                                                    [100%]',
      '============================== 2 passed in 0.10s ===============================',
    ].join('\n');
    const c = await classify(log, { exit: { exitCode: 0 } });
    expect(c).toMatchObject({ status: 'passed', failures: [], classes: [], tests: { passed: 2, failed: 0 } });
  });
});

describe('A4: the harness stopped a hung run', () => {
  it('a [flakehunt] HANG marker while a serial test is in progress is A4 on that test', async () => {
    const log = [
      HEADER,
      't.py::test_y PASSED                                                    [ 50%]',
      't.py::test_x ',
      'waiting for router events...',
      '[flakehunt] HANG: no output for 15m (--idle-timeout); stopping it. Last output: "waiting for router events..."',
      '[flakehunt] process list and stacks saved to forensics.txt; SIGTERM now, SIGKILL after 10s',
    ].join('\n');
    const c = await classify(log, { exit: { exitCode: 137, killedBy: 'idle' } });
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A4' }]);
    expect(c.failures[0]!.message).toMatch(/^\[flakehunt\] HANG: no output for 15m/);
    expect(c).toMatchObject({ status: 'failed', exitCodeMismatch: false, classes: ['A4'] });
    expect(c.tests).toEqual({ passed: 1, failed: 0 });
  });

  it('a TIMEOUT marker under xdist is A4 on the tests the plugin saw still running', async () => {
    const log = [
      HEADER,
      'created: 2/2 workers',
      '2 workers [3 items]',
      '',
      '[gw0] [ 33%] PASSED t.py::test_y',
      '[flakehunt] TIMEOUT: the iteration ran longer than 1h (--timeout); stopping it. Last output: "[gw0] [ 33%] PASSED t.py::test_y"',
    ].join('\n');
    const plugin = [
      { event: 'start' as const, nodeid: 't.py::test_y', worker: 'gw0' },
      { event: 'report' as const, nodeid: 't.py::test_y', worker: 'gw0', when: 'teardown' as const, outcome: 'passed' as const },
      { event: 'start' as const, nodeid: 't.py::test_x', worker: 'gw1' },
      { event: 'start' as const, nodeid: 't.py::test_z', worker: 'gw0' },
    ];
    const c = await classify(log, { parallelism: 'xdist', exit: { exitCode: 137, killedBy: 'timeout' }, plugin });
    expect(pairs(c)).toEqual([
      { test: 't.py::test_x', class: 'A4' },
      { test: 't.py::test_z', class: 'A4' },
    ]);
  });

  it('killed with no test to blame and no marker: one UNCLASSIFIED failure naming the kill and the last output', async () => {
    const c = await classify([HEADER, 'some setup output'].join('\n'), { exit: { exitCode: 137, killedBy: 'timeout' } });
    expect(pairs(c)).toEqual([{ test: null, class: UNCLASSIFIED }]);
    expect(c.failures[0]!.message).toMatch(/^killed by the harness \(timeout\); last output: .*some setup output/);
  });
});

describe('A4_crash and B1: fatal crashes, by parallelism', () => {
  const abort = (prefix: string) => [
    `${prefix}Fatal Python error: Aborted`,
    '',
    'Current thread 0x00007f (most recent call first):',
    '  File "/suite/t.py", line 12 in test_x',
  ];

  it('serial: "Fatal Python error: Aborted" while a test runs → A4_crash on that test', async () => {
    const c = await classify([HEADER, 't.py::test_x ', ...abort('')].join('\n'), { exit: { exitCode: 134 } });
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A4_crash' }]);
  });

  it('xdist: the same abort in a worker, then "node down" and "crashed while running" → B1 on the test', async () => {
    const log = [
      HEADER,
      '2 workers [2 items]',
      '',
      '[gw1] [ 50%] PASSED t.py::test_y',
      ...abort('[gw0] '),
      '[gw0] node down: Not properly terminated',
      "[gw0] [100%] FAILED t.py::test_x",
      '',
      "replacing crashed worker gw0",
      '',
      '=================================== FAILURES ===================================',
      '___________________________________ t.py:11 ____________________________________',
      "[gw0] linux -- Python 3.11.2 /usr/bin/python3",
      "worker 'gw0' crashed while running 't.py::test_x'",
      '=========================== short test summary info ============================',
      'FAILED t.py::test_x',
      '========================= 1 failed, 1 passed in 1.50s ==========================',
    ].join('\n');
    const c = await classify(log, { parallelism: 'xdist', exit: { exitCode: 1 } });
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'B1' }]);
    expect(c.classes).toEqual(['B1']);
  });

  it('"Fatal Python error" is A4_crash only when serial and B1 only under xdist', async () => {
    const serial = await classify([HEADER, 't.py::test_x ', ...abort('')].join('\n'), { exit: { exitCode: 134 } });
    expect(serial.classes).toEqual(['A4_crash']);
    const xdist = await classify([HEADER, ...abort('[gw0] '), "worker 'gw0' crashed while running 't.py::test_x'"].join('\n'), { parallelism: 'xdist', exit: { exitCode: 1 } });
    expect(xdist.classes).toEqual(['B1']);
    expect(pairs(xdist)).toEqual([{ test: 't.py::test_x', class: 'B1' }]);
  });

  it('a serial run ignores the xdist-only B1 patterns', async () => {
    const log = [HEADER, 't.py::test_x ', '[gw0] node down: Not properly terminated'].join('\n');
    const c = await classify(log, { exit: { exitCode: 1 } });
    expect(c.classes).not.toContain('B1');
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: UNCLASSIFIED }]);
  });
});

describe('rule priority', () => {
  it('the first rule in the file wins when a test matches several (A3 before A2)', async () => {
    const c = await classify(
      serialFailure(['Router 1 has 3 events, Router 2 has 4 events', 'E       Failed: Timeout (>90.0s) from pytest-timeout.']),
    );
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A3' }]);
  });

  it('several failing tests each get their own class', async () => {
    const log = [
      HEADER,
      't.py::test_a FAILED                                                    [ 33%]',
      't.py::test_b FAILED                                                    [ 66%]',
      't.py::test_c FAILED                                                    [100%]',
      '',
      '=================================== FAILURES ===================================',
      '____________________________________ test_a ____________________________________',
      'E       AssertionError: Expected all responses to have the same decode_worker_id',
      '____________________________________ test_b ____________________________________',
      'E       AssertionError: Router states have different numbers of events',
      '____________________________________ test_c ____________________________________',
      'E       ValueError: something else entirely',
      '=========================== short test summary info ============================',
      'FAILED t.py::test_a - AssertionError: Expected all responses to have the same...',
      'FAILED t.py::test_b - AssertionError: Router states have different numbers of...',
      'FAILED t.py::test_c - ValueError: something else entirely',
      '============================== 3 failed in 0.30s ===============================',
    ].join('\n');
    const c = await classify(log);
    expect(pairs(c)).toEqual([
      { test: 't.py::test_a', class: 'A1' },
      { test: 't.py::test_b', class: 'A2' },
      { test: 't.py::test_c', class: UNCLASSIFIED },
    ]);
    expect(c.failures.find((f) => f.test === 't.py::test_c')!.message).toBe('ValueError: something else entirely');
    expect(c.classes).toEqual(['A1', 'A2', UNCLASSIFIED]);
    expect(c.tests).toEqual({ passed: 0, failed: 3 });
  });
});
