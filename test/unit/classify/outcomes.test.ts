import { describe, expect, it } from 'vitest';

import { UNCLASSIFIED } from '../../../src/core/result.js';
import { classify, HEADER, pairs, serialFailure } from './helpers.js';

describe('status from the exit code and the log', () => {
  it('a failure in the log with exit code 0 is failed, with exitCodeMismatch', async () => {
    const c = await classify(serialFailure(['E       AssertionError: Router states have different numbers of events']), { exit: { exitCode: 0 } });
    expect(c.status).toBe('failed');
    expect(c.exitCodeMismatch).toBe(true);
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: UNCLASSIFIED }]);
  });

  it('a failure with a non-zero exit code is no mismatch', async () => {
    const c = await classify(serialFailure(['E       AssertionError: Router states have different numbers of events']), { exit: { exitCode: 1 } });
    expect(c.exitCodeMismatch).toBe(false);
  });

  it('a clean log with exit code 0 passes', async () => {
    const log = [HEADER, 't.py::test_x PASSED                                                    [ 50%]', 't.py::test_y PASSED                                                    [100%]', '============================== 2 passed in 0.01s ==============================='].join('\n');
    const c = await classify(log, { exit: { exitCode: 0 } });
    expect(c).toMatchObject({ status: 'passed', failures: [], classes: [], exitCodeMismatch: false, note: null, tests: { passed: 2, failed: 0 } });
  });

  it('a non-zero exit with no recognisable failure is an error whose note carries the log tail', async () => {
    const log = [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/site-packages/_pytest/main.py", line 270, in wrap_session',
      'RuntimeError: the plugin manager exploded',
    ].join('\n');
    const c = await classify(log, { exit: { exitCode: 3 } });
    expect(c.status).toBe('error');
    expect(c.failures).toEqual([]);
    expect(c.classes).toEqual([]);
    expect(c.collectionFailure).toBe(false);
    expect(c.exitCodeMismatch).toBe(false);
    expect(c.note).toBe(
      'exit code 3 but no failing test in the log; last output: Traceback (most recent call last): | ' +
        'File "/usr/lib/python3/site-packages/_pytest/main.py", line 270, in wrap_session | RuntimeError: the plugin manager exploded',
    );
  });

  it('the note is bounded: the last 8 lines at most, 400 characters at most', async () => {
    const lines = [HEADER, ...Array.from({ length: 50 }, (_, i) => `noise line ${i} ${'z'.repeat(80)}`), 'the very last words'];
    const c = await classify(lines.join('\n'), { exit: { exitCode: 1 } });
    expect(c.status).toBe('error');
    expect(c.note!.length).toBeLessThanOrEqual(400);
    expect(c.note).not.toContain('noise line 0 ');
    expect(c.note).not.toContain('noise line 42 ');
  });

  // The tail is joined oldest first; a note cut to 400 characters from the start would lose the newest
  // lines, the ones that say what went wrong (here the RuntimeError after the Traceback's "File" line).
  it('a long tail keeps its newest lines (the error) when the note is shortened', async () => {
    const log = [
      HEADER,
      't.py::test_y PASSED                                                    [ 50%]',
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/site-packages/_pytest/main.py", line 270, in wrap_session',
      'RuntimeError: the plugin manager exploded',
    ].join('\n');
    const c = await classify(log, { exit: { exitCode: 3 } });
    expect(c.status).toBe('error');
    expect(c.note).toContain('RuntimeError: the plugin manager exploded');
  });

  it('pytest could not collect (exit 4, "ERROR: file or directory not found"): an error that stops the sweep', async () => {
    const log = [HEADER.replace('collected 2 items', 'collected 0 items'), 'ERROR: file or directory not found: t.py::nope', '', '============================ no tests ran in 0.01s ============================='].join('\n');
    const c = await classify(log, { exit: { exitCode: 4 } });
    expect(c.status).toBe('error');
    expect(c.collectionFailure).toBe(true);
    expect(c.note).toMatch(/pytest could not collect the tests \(exit 4\): ERROR: file or directory not found: t\.py::nope/);
  });

  it('a test module that does not import: the note gives the error of its collection entry, not only its name', async () => {
    const log = [HEADER.replace('collected 2 items', 'collected 12 items / 1 error'), '',
      '==================================== ERRORS ====================================',
      '_________________ ERROR collecting wadllib/tests/test_docs.py __________________',
      "ImportError while importing test module '/suite/wadllib/tests/test_docs.py'.",
      '    raise PackageNotFoundError(name)',
      'E   importlib.metadata.PackageNotFoundError: No package metadata was found for wadllib',
      '!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!',
      '=============================== 1 error in 0.12s ===============================', ''].join('\n');
    const c = await classify(log, { exit: { exitCode: 2 } });
    expect(c.status).toBe('error');
    expect(c.note).toBe('pytest could not collect the tests (exit 2): ERROR collecting wadllib/tests/test_docs.py: importlib.metadata.PackageNotFoundError: No package metadata was found for wadllib');
  });

  it("a chained import error (lazr.restfulclient's upstream tests): the note gives the chain's last exception, not the StopIteration that led to it", async () => {
    const log = [HEADER.replace('collected 2 items', 'collected 19 items / 1 error'), '',
      '==================================== ERRORS ====================================',
      '______ ERROR collecting lazr/restfulclient/tests/test_atomicfilecache.py _______',
      "ImportError while importing test module '/suite/lazr/restfulclient/tests/test_atomicfilecache.py'.",
      'Hint: make sure your test modules/packages have valid Python names.',
      'Traceback:',
      '/usr/lib/python3.11/importlib/metadata/__init__.py:563: in from_name',
      '    return next(cls.discover(name=name))',
      'E   StopIteration',
      '',
      'During handling of the above exception, another exception occurred:',
      'wadllib/__init__.py:25: in <module>',
      '    __version__ = importlib_metadata.version("wadllib")',
      '/usr/lib/python3.11/importlib/metadata/__init__.py:565: in from_name',
      '    raise PackageNotFoundError(name)',
      'E   importlib.metadata.PackageNotFoundError: No package metadata was found for wadllib',
      '!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!',
      '=============================== 1 error in 0.30s ===============================', ''].join('\n');
    const c = await classify(log, { exit: { exitCode: 2 } });
    expect(c.note).toBe('pytest could not collect the tests (exit 2): ERROR collecting lazr/restfulclient/tests/test_atomicfilecache.py: importlib.metadata.PackageNotFoundError: No package metadata was found for wadllib');
  });

  // As crcmod's upstream tests gave it under --timeout 0.01 and a CPU quota: the timeout fired in pytest's own loop.
  const internal = (last: string) => [HEADER, 'crcmod/test.py::KnownAnswerTests::test_known_answers PASSED', 'INTERNALERROR> Traceback (most recent call last):',
    'INTERNALERROR>   File "/usr/lib/python3/dist-packages/_pytest/main.py", line 270, in wrap_session', `INTERNALERROR> ${last}`,
    '', '============================== 1 passed in 0.70s ===============================', ''].join('\n');

  it('pytest crashing (INTERNALERROR) is a failure of the run, classified by its last line, once', async () => {
    const c = await classify(internal('Failed: Timeout >0.01s'), { exit: { exitCode: 3 } });
    expect(c.status).toBe('failed');
    // A3's pattern and the generic pytest-timeout's both match the line: one failure, the project's class.
    expect(c.failures.map((f) => [f.test, f.class])).toEqual([[null, 'A3']]);
  });

  it('an INTERNALERROR no rule names: an UNCLASSIFIED failure of the run that says pytest crashed and why', async () => {
    const c = await classify(internal('ValueError: hook went wrong'), { exit: { exitCode: 3 } });
    expect(c.status).toBe('failed');
    expect(c.failures).toEqual([expect.objectContaining({ test: null, class: 'UNCLASSIFIED', message: 'pytest crashed (INTERNALERROR, exit 3): ValueError: hook went wrong' })]);
  });

  it('a bad -k expression is the collection problem, not a warning printed before it', async () => {
    const log = [HEADER.replace('collected 2 items', 'collected 2 items / 2 deselected / 0 selected'), '', '=============================== warnings summary ===============================',
      '/usr/lib/python3/dist-packages/_pytest/cacheprovider.py:451: PytestCacheWarning: could not create cache path /suite/.pytest_cache', '',
      '============================ 2 deselected in 0.01s =============================', 'ERROR: Wrong expression passed to \'-k\': not $(x): at column 5: unexpected character "$"', ''].join('\n');
    const c = await classify(log, { exit: { exitCode: 4 } });
    expect(c.status).toBe('error');
    expect(c.note).toBe('pytest could not collect the tests (exit 4): ERROR: Wrong expression passed to \'-k\': not $(x): at column 5: unexpected character "$"');
  });

  it('the reason pytest gives after its final "no tests ran" line is the one reported (as pytest 7 prints it)', async () => {
    const log = [HEADER.replace('collected 2 items', 'collected 0 items'), '', '============================ no tests ran in 0.01s =============================', 'ERROR: file or directory not found: tests/nosuch.py', ''].join('\n');
    const c = await classify(log, { exit: { exitCode: 4 } });
    expect(c.note).toBe('pytest could not collect the tests (exit 4): ERROR: file or directory not found: tests/nosuch.py');
  });

  it('an ERROR at setup of a test counts as a failure of that test', async () => {
    const log = [
      HEADER,
      't.py::test_x ERROR                                                     [ 50%]',
      't.py::test_y PASSED                                                    [100%]',
      '',
      '==================================== ERRORS ====================================',
      '_______________________ ERROR at setup of test_x ________________________',
      "E       RuntimeError: Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace",
      '=========================== short test summary info ============================',
      "ERROR t.py::test_x - RuntimeError: Failed to fetch model 'Qwen/Qwen3-0.6B' from...",
      '========================== 1 passed, 1 error in 0.20s ==========================',
    ].join('\n');
    const c = await classify(log);
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A5' }]);
    expect(c.tests).toEqual({ passed: 1, failed: 1 });
  });
});

describe('--command mode', () => {
  const goLog = ['=== RUN   TestFlaky', '    flaky_test.go:12: got 3, want 4', '--- FAIL: TestFlaky (0.01s)', 'FAIL', 'FAIL\texample.com/pkg\t0.012s'].join('\n');

  it('a non-zero exit is failed UNCLASSIFIED with the exit code and the tail', async () => {
    const c = await classify(goLog, { mode: 'command', exit: { exitCode: 1 } });
    expect(c.status).toBe('failed');
    expect(pairs(c)).toEqual([{ test: null, class: UNCLASSIFIED }]);
    expect(c.failures[0]!.message).toMatch(/^exit code 1; last output: /);
    expect(c.failures[0]!.message).toContain('--- FAIL: TestFlaky (0.01s)');
    expect(c.failures[0]!.message).toContain('example.com/pkg');
    expect(c.exitCodeMismatch).toBe(false);
  });

  it("the signature is the tail's telling line: one way of failing is one signature wherever buffered stdout landed", async () => {
    expect((await classify(goLog, { mode: 'command', exit: { exitCode: 1 } })).failures[0]!.signatureText).toBe('exit 1 | - | --- FAIL: TestFlaky (<duration>)');
    const traceback = ['Traceback (most recent call last):', '  File "/suite/flaky.py", line 8, in <module>', "KeyError: 'session-8'"];
    const texts = await Promise.all([
      [...traceback, 'checking connection to 10.0.0.65 port 33218'],
      ['checking connection to 10.0.0.229 port 12900', ...traceback],
    ].map(async (lines) => (await classify(lines.join('\n'), { mode: 'command', exit: { exitCode: 1 } })).failures[0]!.signatureText));
    expect(texts).toEqual(["exit 1 | - | KeyError: 'session-<n>'", "exit 1 | - | KeyError: 'session-<n>'"]);
  });

  it('exit 0 passes, even with lines that look like pytest', async () => {
    const c = await classify(['ok  \texample.com/pkg\t0.01s', 't.py::test_x FAILED  [ 50%]'].join('\n'), { mode: 'command', exit: { exitCode: 0 } });
    expect(c).toMatchObject({ status: 'passed', failures: [] });
  });

  it('a line matching a rule gives that class to the run', async () => {
    const c = await classify(['starting', "Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace", 'exit status 1'].join('\n'), { mode: 'command', exit: { exitCode: 1 } });
    expect(pairs(c)).toEqual([{ test: null, class: 'A5' }]);
    expect(c.failures[0]!.message).toBe("Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace");
  });
});

describe("the plugin's reports", () => {
  it('supply the failure message for a test the console cut short', async () => {
    // The process died mid-test: the console shows only that test_router_decisions started.
    const log = [HEADER, 't.py::test_y PASSED                                                    [ 50%]', 't.py::test_router_decisions '].join('\n');
    const plugin = [
      { event: 'start' as const, nodeid: 't.py::test_y', worker: 'main' },
      { event: 'report' as const, nodeid: 't.py::test_y', when: 'call' as const, outcome: 'passed' as const, message: null },
      { event: 'report' as const, nodeid: 't.py::test_y', when: 'teardown' as const, outcome: 'passed' as const, message: null },
      { event: 'start' as const, nodeid: 't.py::test_router_decisions', worker: 'main' },
      {
        event: 'report' as const,
        nodeid: 't.py::test_router_decisions',
        when: 'call' as const,
        outcome: 'failed' as const,
        message: 'AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events, got 2',
      },
    ];
    const c = await classify(log, { exit: { exitCode: 1 }, plugin });
    expect(pairs(c)).toEqual([{ test: 't.py::test_router_decisions', class: 'A1' }]);
    expect(c.failures[0]!.message).toBe('AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events, got 2');
    expect(c.status).toBe('failed');
  });

  it('report a failure the console never showed, with its phase; its message becomes the failure text', async () => {
    const log = [HEADER, 't.py::test_y PASSED                                                    [100%]'].join('\n');
    const plugin = [
      { event: 'start' as const, nodeid: 't.py::test_q', worker: 'gw1' },
      { event: 'report' as const, nodeid: 't.py::test_q', when: 'setup' as const, outcome: 'failed' as const, message: 'OSError: port 8000 already in use' },
    ];
    const c = await classify(log, { parallelism: 'xdist', exit: { exitCode: 1 }, plugin });
    // A failed setup is the generic layer's fixture-error.
    expect(pairs(c)).toEqual([{ test: 't.py::test_q', class: 'fixture-error' }]);
    expect(c.failures[0]).toMatchObject({ message: 'OSError: port 8000 already in use', phase: 'setup', exception: 'OSError' });
  });

  it('a console failure with a class keeps it over a plugin message', async () => {
    const plugin = [
      { event: 'report' as const, nodeid: 't.py::test_x', when: 'call' as const, outcome: 'failed' as const, message: 'AssertionError: Expected all responses to have the same decode_worker_id' },
    ];
    const c = await classify(serialFailure(['E       Failed: Timeout >90.0s']), { plugin });
    expect(pairs(c)).toEqual([{ test: 't.py::test_x', class: 'A3' }]);
  });
});
