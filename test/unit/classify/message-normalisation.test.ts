import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { MAX_NORMALISED, NORMALISATION_RULES, normaliseMessage } from '../../../src/classify/message-normalisation.js';

/**
 * Real messages: each group is one way of failing as it was printed in different runs (pytest in
 * the flakehunt image, the seed document, issue threads of requests/urllib3/huggingface_hub),
 * which must normalise to one text, shown after it.
 */
const SAME_WAY: Array<{ runs: string[]; normalised: string }> = [
  {
    // The seed's A1 assertion, runs 029 and a local reproduction.
    runs: [
      'AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events (due to prefix reuse), but found 3 with events: [(0, 0), (0, 1), (0, 2)]',
      'AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events (due to prefix reuse), but found 2 with events: [(2484751312148977927, 3), (2484751312148977927, 1)]',
    ],
    normalised: 'AssertionError: Expected exactly <n> (worker_id, dp_rank) to have events (due to prefix reuse), but found <n> with events: […]',
  },
  {
    runs: [
      'AssertionError: Expected all responses to have the same decode_worker_id (due to prefix reuse), but found 2 unique values: {893573269278361612, 893573269278361615}',
      'AssertionError: Expected all responses to have the same decode_worker_id (due to prefix reuse), but found 3 unique values: {1, 7, 12}',
    ],
    normalised: 'AssertionError: Expected all responses to have the same decode_worker_id (due to prefix reuse), but found <n> unique values: {…}',
  },
  {
    runs: ['Router 1 has 100 events, Router 2 has 50 events', 'Router 1 has 25 events, Router 2 has 24 events'],
    normalised: 'Router <n> has <n> events, Router <n> has <n> events',
  },
  {
    runs: ['Failed: Timeout (>90.0s) from pytest-timeout.', 'Failed: Timeout (>150.0s) from pytest-timeout.'],
    normalised: 'Failed: Timeout (><duration>) from pytest-timeout.',
  },
  {
    // pytest 7.2 in the image, serial and under -n 2: repr address, pid, duration, uuid.
    runs: [
      'AssertionError: object <test_many.Thing object at 0x7f73dcfe5210> at pid 1 took 0.311s id=a5ee7e70-f296-426c-bf4b-9fd809b06c08',
      'AssertionError: object <test_many.Thing object at 0x7ff05dfe00d0> at pid 8 took 3.834s id=915fa97d-dc09-47e3-8dbd-d668c4e83bd4',
    ],
    normalised: 'AssertionError: object <test_many.Thing object at 0x<hex>> at pid <pid> took <duration> id=<uuid>',
  },
  {
    // tmp_path serial and under xdist (popen-gw0), thread idents.
    runs: [
      'FileNotFoundError: no such file: /tmp/pytest-of-root/pytest-0/test_decorated_2_0/data.bin on thread 140135626006592',
      'FileNotFoundError: no such file: /tmp/pytest-of-root/pytest-336/popen-gw0/test_decorated_2_0/data.bin on thread 140670374699072',
    ],
    normalised: 'FileNotFoundError: no such file: <tmp>/data.bin on thread <thread>',
  },
  {
    runs: ['RuntimeError: wrapped failure on port 40001', 'RuntimeError: wrapped failure on port 40011'],
    normalised: 'RuntimeError: wrapped failure on port <port>',
  },
  {
    runs: ['ValueError: fixture failed at 2026-12-01 19:49:23', 'ValueError: fixture failed at 2026-12-02 07:03:11'],
    normalised: 'ValueError: fixture failed at <timestamp>',
  },
  {
    // Python's tempfile names and subprocess timeouts.
    runs: ["FileNotFoundError: [Errno 2] No such file or directory: '/tmp/tmpo5ele9yw/missing.json'", "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/tmp_k2j3h4x/missing.json'"],
    normalised: "FileNotFoundError: [Errno <n>] No such file or directory: '<tmp>/missing.json'",
  },
  {
    runs: ["subprocess.TimeoutExpired: Command '['sleep', '5']' timed out after 0.1999903959999756 seconds", "subprocess.TimeoutExpired: Command '['sleep', '5']' timed out after 0.20004 seconds"],
    normalised: "subprocess.TimeoutExpired: Command '['sleep', '<n>']' timed out after <duration>",
  },
  {
    runs: ['KeyError: 140248945860672', 'KeyError: 139907536945216'],
    normalised: 'KeyError: <n>',
  },
  {
    runs: ['RuntimeError: <Thread(Thread-1 (<lambda>), stopped 140248922887872)> is dead', 'RuntimeError: <Thread(Thread-12 (<lambda>), stopped 139981272076352)> is dead'],
    normalised: 'RuntimeError: <Thread(Thread-<n> (<lambda>), stopped <n>)> is dead',
  },
  {
    // requests/urllib3 against a local server on a random port (issue threads).
    runs: [
      "requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=36731): Max retries exceeded with url: /v1/models (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f8c2b1d4e50>: Failed to establish a new connection: [Errno 111] Connection refused'))",
      "requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=41025): Max retries exceeded with url: /v1/models (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7fc1089f04a8>: Failed to establish a new connection: [Errno 111] Connection refused'))",
    ],
    normalised:
      "requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=<port>): Max retries exceeded with url: /v1/models (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x<hex>>: Failed to establish a new connection: [Errno <n>] Connection refused'))",
  },
  {
    // huggingface_hub's retry warning: addresses and request ids (huggingface_hub, AUTOMATIC1111 issue threads).
    runs: [
      "'(MaxRetryError(\"HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /openai/gpt-oss-120b/resolve/main/config.json (Caused by ConnectTimeoutError(<HTTPSConnection(host='huggingface.co', port=443) at 0xf0ff49d14050>, 'Connection to huggingface.co timed out. (connect timeout=10)'))\"), '(Request ID: 092a846c-0a2a-4c7b-9fe6-cc51013bccfa)')'",
      "'(MaxRetryError(\"HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /openai/gpt-oss-120b/resolve/main/config.json (Caused by ConnectTimeoutError(<HTTPSConnection(host='huggingface.co', port=443) at 0xf0ff49d14290>, 'Connection to huggingface.co timed out. (connect timeout=10)'))\"), '(Request ID: 2273093f-1834-4818-96e6-3a8b39b879b2)')'",
    ],
    normalised:
      "'(MaxRetryError(\"HTTPSConnectionPool(host='huggingface.co', port=<port>): Max retries exceeded with url: /openai/gpt-oss-120b/resolve/main/config.json (Caused by ConnectTimeoutError(<HTTPSConnection(host='huggingface.co', port=<port>) at 0x<hex>>, 'Connection to huggingface.co timed out. (connect timeout=<n>)'))\"), '(Request ID: <uuid>)')'",
  },
  {
    runs: ['TimeoutError: Timed out waiting for etcd at http://172.17.0.3:2379 after 30.00s', 'TimeoutError: Timed out waiting for etcd at http://172.17.0.9:2379 after 30.01s'],
    normalised: 'TimeoutError: Timed out waiting for etcd at http://<ip>:<port> after <duration>',
  },
  {
    runs: ["worker 'gw6' crashed while running 'tests/router/test_router_e2e_with_mockers.py::test_kv_push_router_bindings[True-tcp]'", "worker 'gw0' crashed while running 'tests/router/test_router_e2e_with_mockers.py::test_kv_push_router_bindings[True-tcp]'"],
    normalised: "worker 'gw<n>' crashed while running 'tests/router/test_router_e2e_with_mockers.py::test_kv_push_router_bindings[True-tcp]'",
  },
  {
    runs: ['Current thread 0x00007f4a0df7f040 (most recent call first):', 'Current thread 0x00007f4acc7fd040 (most recent call first):'],
    normalised: 'Current thread 0x<hex> (most recent call first):',
  },
  {
    runs: ['lease 3f2a9c01d4e5b6a7 expired after 15m', 'lease 0b1c2d3e4f5a6978 expired after 15m'],
    normalised: 'lease <hex> expired after <duration>',
  },
  {
    runs: ['MemoryError: cannot allocate 512MB (4096 bytes free)', 'MemoryError: cannot allocate 1.5 GiB (12 bytes free)'],
    normalised: 'MemoryError: cannot allocate <size> (<size> free)',
  },
];

/** Different ways of failing, which must stay apart. */
const DIFFERENT_WAYS: string[][] = [
  ['ConnectionRefusedError: [Errno 111] Connection refused', 'ConnectionResetError: [Errno 104] Connection reset by peer'],
  ["KeyError: 'missing'", "KeyError: 'decode_worker_id'"],
  ['Router states have different numbers of events', 'Expected all responses to have the same decode_worker_id'],
  [
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/Qwen/Qwen3-0.6B/revision/main (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7fc30f2ea230>: Failed to establish a new connection: [Errno 101] Network is unreachable'))",
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/Qwen/Qwen3-0.6B/revision/main (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7fc30f2ea230>: Failed to establish a new connection: [Errno 111] Connection refused'))",
  ],
];

describe('message normalisation', () => {
  it('is data: named rules, each with a global pattern, a replacement and a doc line, all in docs/signatures.md', () => {
    const docs = readFileSync('docs/signatures.md', 'utf8');
    const names = NORMALISATION_RULES.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of NORMALISATION_RULES) {
      expect(rule.pattern.flags).toContain('g');
      expect(rule.doc.length).toBeGreaterThan(10);
      expect(docs, rule.name).toContain(`\`${rule.name}\``);
    }
  });

  it.each(SAME_WAY.map((way) => [way.normalised, way]))('one way of failing, every run: %s', (_, way) => {
    for (const run of way.runs) expect(normaliseMessage(run)).toBe(way.normalised);
  });

  it.each(DIFFERENT_WAYS)('different ways stay different: %s | %s', (a, b) => {
    expect(normaliseMessage(a)).not.toBe(normaliseMessage(b));
  });

  it('keeps what names things: digits inside words, version numbers, model names, xdist-free node ids', () => {
    expect(normaliseMessage("Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace on Python 3.11.2 in test_a1")).toBe(
      "Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace on Python 3.11.2 in test_a1",
    );
    expect(normaliseMessage('error sending request for url (https://huggingface.co/api/models/Qwen/Qwen3-0.6B/revision/main)')).toBe(
      'error sending request for url (https://huggingface.co/api/models/Qwen/Qwen3-0.6B/revision/main)',
    );
    expect(normaliseMessage('[2026-05-21 23:55:54] WARNING _http.py:320: Retrying in 8s [Retry 4/5].')).toBe('[<timestamp>] WARNING _http.py:<n>: Retrying in <duration> [Retry <n>/<n>].');
  });

  it('collapses white space and cuts long messages at a fixed length, after normalising (so the cut is stable)', () => {
    expect(normaliseMessage('  a\t\tb   c  ')).toBe('a b c');
    const long = (n: number) => `value ${n} ${'word '.repeat(200)}`;
    expect(normaliseMessage(long(7)).length).toBe(MAX_NORMALISED);
    expect(normaliseMessage(long(7))).toBe(normaliseMessage(long(1234567)));
  });

  it('leaves normalised text as it is', () => {
    for (const way of SAME_WAY) expect(normaliseMessage(way.normalised)).toBe(way.normalised);
  });

  it('runs in bounded time on hostile input', () => {
    const hostile = ['0x'.repeat(5000), '1.'.repeat(5000), `[${'<n>, '.repeat(2000)}`, 'a'.repeat(10000), `/tmp/pytest-of-${'x'.repeat(5000)}`];
    const started = performance.now();
    for (const text of hostile) normaliseMessage(text);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
