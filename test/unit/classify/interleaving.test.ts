import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Classification, PluginEvent } from '../../../src/classify/classification.js';
import { classify } from './helpers.js';

/**
 * A serial abort as the container wrote it: pytest's stdout (its verbose lines) and
 * faulthandler's stderr (the dump), apart. Docker delivers the two interleaved at any byte; these
 * tests replay every such interleaving of the real corpus case abort_init-serial.
 */
const LOG = readFileSync(path.resolve('test/fixtures/corpus/abort_init-serial/run.log'), 'utf8');
const DUMP_AT = LOG.indexOf('Fatal Python error: Aborted');
const RUNNING = 'test_abort.py::test_kv_push_router_bindings ';
/** stdout up to the outcome of the test before the one that aborts. */
const STDOUT_HEAD = LOG.slice(0, LOG.indexOf(RUNNING)).replace(/\n$/, '');
const STDOUT_TAIL = `\n${RUNNING}`;
const STDERR = LOG.slice(DUMP_AT);

const PLUGIN: PluginEvent[] = [
  { event: 'session', rootdir: '/suite', invocationDir: '/suite', worker: 'main', pid: 1 },
  { event: 'start', nodeid: 'test_abort.py::test_passes', path: '/suite/test_abort.py', worker: 'main' },
  { event: 'report', nodeid: 'test_abort.py::test_passes', when: 'teardown', outcome: 'passed' },
  { event: 'start', nodeid: 'test_abort.py::test_fails_first', path: '/suite/test_abort.py', worker: 'main' },
  { event: 'report', nodeid: 'test_abort.py::test_fails_first', when: 'call', outcome: 'failed', message: 'assert (1 + 1) == 3', exception: 'AssertionError', frames: [['/suite/test_abort.py', 14, 'test_fails_first']] },
  { event: 'report', nodeid: 'test_abort.py::test_fails_first', when: 'teardown', outcome: 'passed' },
  { event: 'start', nodeid: 'test_abort.py::test_kv_push_router_bindings', path: '/suite/test_abort.py', worker: 'main' },
  { event: 'report', nodeid: 'test_abort.py::test_kv_push_router_bindings', when: 'setup', outcome: 'passed' },
];

const summary = (c: Classification) => c.failures.map((f) => [f.test, f.class, f.signatureText]);

describe('a serial abort, whatever the interleaving of stdout and stderr', () => {
  it('the console as recorded', async () => {
    const c = await classify(LOG, { exit: { exitCode: 134 }, plugin: PLUGIN });
    expect(summary(c)).toEqual([
      ['test_abort.py::test_fails_first', 'UNCLASSIFIED', 'AssertionError | test_abort.py::test_fails_first | assert (<n> + <n>) == <n>'],
      ['test_abort.py::test_kv_push_router_bindings', 'A4_crash', 'SIGABRT | test_abort.py::test_kv_push_router_bindings | Fatal Python error: Aborted'],
    ]);
  });

  // stdout's last write (`\n<node id> `) lands at every byte of the dump.
  const cuts = [...Array(STDERR.length).keys()];

  it(`stdout's node id cut into the dump at each of its ${cuts.length} bytes: the same failures and signatures, with the plugin's reports`, async () => {
    const clean = summary(await classify(`${STDOUT_HEAD}${STDOUT_TAIL}${STDERR}`, { exit: { exitCode: 134 }, plugin: PLUGIN }));
    for (const cut of cuts) {
      const console = `${STDOUT_HEAD}${STDERR.slice(0, cut)}${STDOUT_TAIL}${STDERR.slice(cut)}`;
      expect(summary(await classify(console, { exit: { exitCode: 134 }, plugin: PLUGIN })), `cut at ${cut}: ${JSON.stringify(STDERR.slice(Math.max(0, cut - 20), cut + 20))}`).toEqual(clean);
    }
  });

  it('and with the console alone: the aborting test is A4_crash with the same signature, the other keeps its outcome', async () => {
    const clean = (await classify(`${STDOUT_HEAD}${STDOUT_TAIL}${STDERR}`, { exit: { exitCode: 134 } })).failures;
    expect(clean.map((f) => [f.test, f.class])).toEqual([
      ['test_abort.py::test_fails_first', 'UNCLASSIFIED'],
      ['test_abort.py::test_kv_push_router_bindings', 'A4_crash'],
    ]);
    for (const cut of cuts) {
      const console = `${STDOUT_HEAD}${STDERR.slice(0, cut)}${STDOUT_TAIL}${STDERR.slice(cut)}`;
      const got = (await classify(console, { exit: { exitCode: 134 } })).failures;
      expect(got.map((f) => [f.test, f.class, f.signatureText]), `cut at ${cut}`).toEqual(clean.map((f) => [f.test, f.class, f.signatureText]));
    }
  });

  it('the outcome of the test before, glued to the end of any line of the dump, is still its outcome', async () => {
    // stdout: `<test_fails_first> ` was written before the test ran; its `FAILED  [ 50%]` arrives late.
    const head = STDOUT_HEAD.slice(0, STDOUT_HEAD.lastIndexOf('FAILED'));
    const lines = STDERR.split('\n');
    for (let at = 0; at < 12; at += 1) {
      const dump = [...lines.slice(0, at), `${lines[at]}FAILED                                   [ 50%]`, ...lines.slice(at + 1)].join('\n');
      for (const plugin of [PLUGIN, []]) {
        const c = await classify(`${head}${dump}${STDOUT_TAIL}`, { exit: { exitCode: 134 }, plugin });
        expect(c.failures.map((f) => [f.test, f.class, f.signatureText?.split(' | ')[0]]), `outcome after dump line ${at}, plugin: ${plugin.length > 0}`).toEqual([
          ['test_abort.py::test_fails_first', 'UNCLASSIFIED', plugin.length > 0 ? 'AssertionError' : '-'],
          ['test_abort.py::test_kv_push_router_bindings', 'A4_crash', 'SIGABRT'],
        ]);
      }
    }
  });
});
