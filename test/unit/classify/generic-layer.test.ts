import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { RunExit } from '../../../src/classify/classification.js';
import { classifyLog } from '../../../src/classify/classify-log.js';
import { RunClassifier } from '../../../src/classify/classifier.js';
import { loadTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import { HEADER } from './helpers.js';

/** A taxonomy that knows nothing of these suites (one rule about database locks): what remains is the generic layer. */
const MINIMAL = path.resolve('test/fixtures/taxonomy/minimal.json');
const CORPUS = path.resolve('test/fixtures/corpus');

async function failuresOf(name: string, exit: Partial<RunExit> = {}) {
  const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as { exitCode: number; parallelism: string };
  const artifacts = path.join(CORPUS, name, 'artifacts');
  const c = await classifyLog({
    log: path.join(CORPUS, name, 'run.log'),
    artifactsDir: existsSync(artifacts) ? artifacts : null,
    taxonomy: await loadTaxonomy(MINIMAL),
    parallelism: expected.parallelism === 'serial' ? 'serial' : 'xdist',
    mode: 'pytest',
    exit: { exitCode: expected.exitCode, killedBy: null, ...exit },
  });
  return c.failures;
}

async function classes(name: string, exit: Partial<RunExit> = {}): Promise<Array<{ test: string | null; class: string; message: string }>> {
  return (await failuresOf(name, exit)).map(({ test, class: cls, message }) => ({ test, class: cls, message }));
}

describe('the generic layer, under a taxonomy that knows nothing of the suite (real logs)', () => {
  it('pytest-timeout: the signal method and the thread method, serial and under xdist', async () => {
    for (const name of ['a3_signal-serial', 'a3_signal-n2', 'a3_thread-serial', 'a3_thread-n2', 'a3_signal_fallback-n2']) {
      expect((await classes(name)).map((f) => f.class), name).toEqual(['pytest-timeout']);
    }
  });

  it('pytest-timeout: one signature whichever method fired and however the run was split, since the test hung in the same place', async () => {
    const texts = new Map<string, string | undefined>();
    for (const name of ['a3_signal-serial', 'a3_signal-n2', 'a3_thread-serial', 'a3_thread-n2', 'a3_signal_fallback-n2']) {
      texts.set(name, (await failuresOf(name))[0]!.signatureText);
    }
    expect(new Set(texts.values()), JSON.stringify(Object.fromEntries(texts))).toEqual(new Set(['pytest-timeout | test_a3_signal.py::test_indexers_sync | Timeout', 'pytest-timeout | test_a3_thread.py::test_indexers_sync | Timeout']));
  });

  it('crash by signal, named, with the exit status', async () => {
    const serial = await classes('abort_init-serial');
    expect(serial.find((f) => f.class === 'crash')).toEqual({ test: 'test_abort.py::test_kv_push_router_bindings', class: 'crash', message: 'SIGABRT (exit 134): Fatal Python error: Aborted' });
    // Without --init, glibc's abort ends in SIGSEGV (exit 139): the fatal error still says it was an abort.
    expect((await classes('abort-serial')).find((f) => f.class === 'crash')!.message).toBe('SIGABRT (exit 139): Fatal Python error: Aborted');
    // Under xdist the exit status is the controller's; the worker's dump names the signal.
    expect((await classes('abort-n2')).find((f) => f.class === 'crash')!.message).toBe('SIGABRT (exit 1): Fatal Python error: Aborted');
    expect((await classes('generic_sigkill-serial'))).toEqual([{ test: 'test_generic.py::test_generic_failure', class: 'crash', message: 'SIGKILL (exit 137): the process died while the test ran' }]);
  });

  it('OOM kill, with the memory limit', async () => {
    const oom = { oomKilled: true, memoryLimitBytes: 64 * 1024 * 1024 };
    expect(await classes('generic_oom-serial', oom)).toEqual([{ test: 'test_generic.py::test_generic_failure', class: 'oom-kill', message: "killed by the kernel's OOM killer (memory limit 64 MiB, exit 137)" }]);
    expect((await classes('generic_oom-n2', oom)).map((f) => f.class)).toEqual(['oom-kill']);
    // The same log without the container's state: a SIGKILL crash, as the exit status says.
    expect((await classes('generic_oom-serial')).map((f) => f.class)).toEqual(['crash']);
  });

  it('pytest-xdist worker crash, when no signal is named', async () => {
    expect(await classes('generic_sigkill-n2')).toEqual([{ test: 'test_generic.py::test_generic_failure', class: 'xdist-worker-crash', message: "worker 'gw1' crashed while running 'test_generic.py::test_generic_failure'" }]);
  });

  it('collection error while other tests ran, error in a fixture, network', async () => {
    expect(await classes('generic_collect-serial')).toEqual([{ test: 'broken/test_syntax.py', class: 'collection-error', message: 'SyntaxError: invalid syntax' }]);
    expect((await classes('installed-serial')).find((f) => f.class === 'fixture-error')!.test).toBe('/usr/lib/python3/dist-packages/fhpkg/test/test_installed.py::TestInstalled::test_missing_fixture');
    expect((await classes('signatures_a-serial')).find((f) => f.class === 'fixture-error')!.test).toBe('test_signatures.py::test_fixture');
    expect((await classes('generic_dns-serial')).map((f) => f.class)).toEqual(['network']);
  });

  it("plain failures stay UNCLASSIFIED: the generic layer says what any suite can fail of, not what its assertions mean", async () => {
    expect((await classes('a1-serial')).map((f) => f.class)).toEqual(['UNCLASSIFIED']);
    expect((await classes('unclassified-serial')).map((f) => f.class)).toEqual(['UNCLASSIFIED']);
  });
});

describe("the generic layer: the watchdog's markers", () => {
  const hung = (marker: string) => [HEADER, 't.py::test_y PASSED                                                    [ 50%]', 't.py::test_x ', 'waiting for router events...', marker].join('\n');

  it.each([
    ['[flakehunt] HANG: no output for 15m (--idle-timeout); stopping it. Last output: "waiting for router events..."', 'idle' as const, 'hang'],
    ['[flakehunt] TIMEOUT: the iteration ran longer than 1h (--timeout); stopping it. Last output: "waiting for router events..."', 'timeout' as const, 'wall-timeout'],
  ])('%s', async (marker, killedBy, cls) => {
    const classifier = new RunClassifier(await loadTaxonomy(MINIMAL), 'serial', 'pytest');
    for (const line of hung(marker).split('\n')) classifier.line(line);
    const c = classifier.finish({ exitCode: 137, killedBy });
    expect(c.failures.map(({ test, class: k, message }) => ({ test, class: k, message }))).toEqual([{ test: 't.py::test_x', class: cls, message: marker }]);
    expect(c.failures[0]!.signatureText).toBe(`${cls} | t.py::test_x | ${marker.slice('[flakehunt] '.length, marker.indexOf(';')).replace(/\d+[mh]/, '<duration>')}`);
    // Offline, where nothing recorded that the harness stopped it (a seed-script folder): the marker says so.
    const offline = new RunClassifier(await loadTaxonomy(MINIMAL), 'serial', 'pytest');
    for (const line of hung(marker).split('\n')) offline.line(line);
    expect(offline.finish({ exitCode: 137, killedBy: null }).failures.map((f) => [f.test, f.class])).toEqual([['t.py::test_x', cls]]);
  });
});
