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

describe('A2: the event-count assertion of test_indexers_sync', () => {
  const A2 = 't.py::test_indexers_sync[file]';

  it('pytest ≥ 9 style: only a short-summary entry, no failures section', async () => {
    const log = [
      HEADER,
      `${A2} FAILED                                                    [ 50%]`,
      't.py::test_y PASSED                                                    [100%]',
      '',
      '=========================== short test summary info ============================',
      `FAILED ${A2} - AssertionError: Router states have different numbers of events`,
      FINAL_2,
    ].join('\n');
    const c = await classify(log);
    expect(pairs(c)).toEqual([{ test: A2, class: 'A2' }]);
    expect(c.failures[0]!.message).toBe('AssertionError: Router states have different numbers of events');
    expect(c.tests).toEqual({ passed: 1, failed: 1 });
  });

  it('a summary entry alone, without the outcome line (pytest -q --tb=no)', async () => {
    const log = [
      HEADER,
      '=========================== short test summary info ============================',
      `FAILED ${A2} - AssertionError: Router states have different numbers of events`,
      '1 failed, 1 passed in 0.10s',
    ].join('\n');
    expect(pairs(await classify(log))).toEqual([{ test: A2, class: 'A2' }]);
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
      ], { summary: 'AssertionError: Router states h...', name: 'test_indexers_sync[file]' }),
    );
    expect(pairs(c)).toEqual([{ test: A2, class: 'A2' }]);
    // The E line is preferred over plain output as the message.
    expect(c.failures[0]!.message).toBe('AssertionError: Router states have different numbers of events');
  });

  it('a bare count comparison in test_indexers_sync is the event-count assertion too', async () => {
    const c = await classify(serialFailure(['Router 1 has 3 events, Router 2 has 4 events', 'E       assert 3 == 4'], { name: 'test_indexers_sync[jetstream]' }));
    expect(pairs(c)).toEqual([{ test: 't.py::test_indexers_sync[jetstream]', class: 'A2' }]);
  });

  it('the same words in another test are not A2, and another assertion of test_indexers_sync is not either', async () => {
    const elsewhere = await classify(serialFailure(['E       AssertionError: Router states have different numbers of events']));
    expect(pairs(elsewhere)).toEqual([{ test: 't.py::test_x', class: UNCLASSIFIED }]);
    const other = await classify(serialFailure(["E       AssertionError: router never became ready: 'timeout'"], { name: 'test_indexers_sync[file]' }));
    expect(pairs(other)).toEqual([{ test: A2, class: UNCLASSIFIED }]);
  });
});

describe('A1: the routing assertion of test_router_decisions, in any wording', () => {
  const A1 = 't.py::test_router_decisions[jetstream-tcp]';

  it.each([
    'E       AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events, got 2',
    'E       AssertionError: Expected all responses to have the same decode_worker_id',
    // Fix13's wording: the requests are forced to one (worker_id, dp_rank) and must stay there.
    'E       AssertionError: Expected all 8 blocks at the forced (worker_id=7, dp_rank=1), but 4 are at (worker_id=7, dp_rank=3)',
    'E       AssertionError: forced dp_rank 1 but request 2 was routed to dp_rank 0',
    'E       assert 3 == 1',
  ])('%s', async (line) => {
    const c = await classify(serialFailure([line], { name: 'test_router_decisions[jetstream-tcp]' }));
    expect(pairs(c)).toEqual([{ test: A1, class: 'A1' }]);
    expect(c.failures[0]!.message).toBe(line.replace(/^E\s+/, ''));
  });

  it('not the same words in another test, nor a crash or timeout of test_router_decisions', async () => {
    const elsewhere = await classify(serialFailure(['E       AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events, got 2']));
    expect(pairs(elsewhere)).toEqual([{ test: 't.py::test_x', class: UNCLASSIFIED }]);
    const timeout = await classify(serialFailure(['E       Failed: Timeout >90.0s'], { name: 'test_router_decisions[jetstream-tcp]' }));
    expect(pairs(timeout)).toEqual([{ test: A1, class: 'A3' }]);
    const broken = await classify(serialFailure(["E       KeyError: 'decode_worker_id'"], { name: 'test_router_decisions[jetstream-tcp]' }));
    expect(pairs(broken)).toEqual([{ test: A1, class: UNCLASSIFIED }]);
  });
});

describe('A5: any failed fetch from HuggingFace, whatever library raised it', () => {
  // Real messages (huggingface_hub, requests, urllib3, transformers issues; the seed's Rust client).
  it.each([
    "E       RuntimeError: Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace",
    'E       reqwest::Error: error sending request for url (https://huggingface.co/api/models/Qwen/Qwen3-0.6B/revision/main)',
    'E       huggingface_hub.errors.LocalEntryNotFoundError: An error happened while trying to locate the file on the Hub and we cannot find the requested files in the local cache. Please check your connection and try again or make sure your Internet connection is on.',
    'E       huggingface_hub.utils._errors.HfHubHTTPError: 429 Client Error: Too Many Requests for url: https://huggingface.co/api/models',
    "E       requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/Qwen/Qwen3-0.6B/revision/main (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7fc30f2ea230>: Failed to establish a new connection: [Errno 101] Network is unreachable'))",
    "E       urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/BAAI/bge-large-zh-v1.5/revision/main (Caused by SSLError(SSLEOFError(8, 'EOF occurred in violation of protocol (_ssl.c:1007)')))",
    'E       requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for URL: https://huggingface.co/meta-llama/Meta-Llama-3-8B/resolve/main/config.json',
    "E       requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)",
    "E       OSError: We couldn't connect to 'https://huggingface.co' to load this file, couldn't find it in the cached files and it looks like Qwen/Qwen3-0.6B is not the path to a directory containing a file named config.json.",
  ])('%s', async (line) => {
    expect(pairs(await classify(serialFailure([line])))).toEqual([{ test: 't.py::test_x', class: 'A5' }]);
  });

  it('the same failures from another host are the generic network class or nothing', async () => {
    const rate = await classify(serialFailure(['E       requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: https://api.example.com/v1']));
    expect(pairs(rate)).toEqual([{ test: 't.py::test_x', class: 'network' }]);
    const refused = await classify(serialFailure(["E       requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=36731): Max retries exceeded with url: /v1/models (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f8c2b1d4e50>: Failed to establish a new connection: [Errno 111] Connection refused'))"]));
    expect(pairs(refused)).toEqual([{ test: 't.py::test_x', class: UNCLASSIFIED }]);
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
      't.py::test_router_decisions FAILED                                                    [ 33%]',
      't.py::test_indexers_sync FAILED                                                    [ 66%]',
      't.py::test_c FAILED                                                    [100%]',
      '',
      '=================================== FAILURES ===================================',
      '___________________________ test_router_decisions ____________________________',
      'E       AssertionError: Expected all responses to have the same decode_worker_id',
      '_____________________________ test_indexers_sync _____________________________',
      'E       AssertionError: Router states have different numbers of events',
      '____________________________________ test_c ____________________________________',
      'E       ValueError: something else entirely',
      '=========================== short test summary info ============================',
      'FAILED t.py::test_router_decisions - AssertionError: Expected all responses to have the same...',
      'FAILED t.py::test_indexers_sync - AssertionError: Router states have different numbers of...',
      'FAILED t.py::test_c - ValueError: something else entirely',
      '============================== 3 failed in 0.30s ===============================',
    ].join('\n');
    const c = await classify(log);
    expect(pairs(c)).toEqual([
      { test: 't.py::test_c', class: UNCLASSIFIED },
      { test: 't.py::test_indexers_sync', class: 'A2' },
      { test: 't.py::test_router_decisions', class: 'A1' },
    ]);
    expect(c.failures.find((f) => f.test === 't.py::test_c')!.message).toBe('ValueError: something else entirely');
    expect(c.classes).toEqual(['A1', 'A2', UNCLASSIFIED]);
    expect(c.tests).toEqual({ passed: 0, failed: 3 });
  });
});
