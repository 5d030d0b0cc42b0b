import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { signatureOf, withoutTypePrefix } from '../../../src/classify/signature.js';
import { classify, HEADER } from './helpers.js';

/** A serial console whose test_x failed with this failures-section entry. */
function failing(entry: string[], opts: { test?: string; head?: string } = {}): string {
  const test = opts.test ?? 't.py::test_x';
  return [
    HEADER,
    `${test} FAILED                                                    [100%]`,
    '',
    '=================================== FAILURES ===================================',
    `____________________________________ ${opts.head ?? 'test_x'} ____________________________________`,
    '',
    ...entry,
    '=========================== short test summary info ============================',
    `FAILED ${test} - see above`,
    '============================== 1 failed in 0.10s ===============================',
  ].join('\n');
}

async function signatureText(log: string): Promise<string> {
  const c = await classify(log);
  expect(c.failures).toHaveLength(1);
  return c.failures[0]!.signatureText!;
}

describe('signatureOf', () => {
  it('is type | where | normalised message, and its id the first 12 hex digits of its SHA-256', () => {
    const s = signatureOf({ type: 'KeyError', location: 't.py::load', message: "KeyError: 'a'" });
    expect(s.signatureText).toBe("KeyError | t.py::load | 'a'");
    expect(s.signature).toBe(createHash('sha256').update("KeyError | t.py::load | 'a'").digest('hex').slice(0, 12));
    expect(signatureOf({ type: null, location: null, message: 'took 3s' }).signatureText).toBe('- | - | took <duration>');
  });

  it('drops the type the message starts with, and only that', () => {
    expect(withoutTypePrefix("KeyError: 'a'", 'KeyError')).toBe("'a'");
    expect(withoutTypePrefix('requests.exceptions.ConnectionError: boom', 'requests.exceptions.ConnectionError')).toBe('boom');
    expect(withoutTypePrefix('TimeoutError', 'TimeoutError')).toBe('');
    expect(withoutTypePrefix('assert 1 == 2', 'AssertionError')).toBe('assert 1 == 2');
    expect(withoutTypePrefix('KeyErrors: a', 'KeyError')).toBe('KeyErrors: a');
  });
});

describe('what a console says about where and how a test failed', () => {
  it("long style (pytest's default): the innermost frame of the test's own code, not the library's", async () => {
    const log = failing([
      '    def test_x():',
      '>       fetch("https://huggingface.co/api/models/Qwen/Qwen3-0.6B")',
      '',
      't.py:9: ',
      '_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ ',
      '',
      '    def fetch(url):',
      '>       return requests.get(url, timeout=3)',
      '',
      'helpers/net.py:4: ',
      '_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ ',
      '',
      '    def send(self, request, **kwargs):',
      '>       raise ConnectionError(e, request=request)',
      "E       requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=3)",
      '',
      '/usr/lib/python3/dist-packages/requests/adapters.py:519: ConnectionError',
    ]);
    expect(await signatureText(log)).toBe("requests.exceptions.ConnectionError | helpers/net.py::fetch | HTTPSConnectionPool(host='huggingface.co', port=<port>): Read timed out. (read timeout=<n>)");
  });

  it('decorators before the def, and a bare assert whose type only the location line names', async () => {
    const log = failing([
      '    @pytest.mark.parametrize("n", [1, 2])',
      '    def test_x(n):',
      '        seen = [(0, 0), (0, 1)]',
      '>       assert len(seen) == 1',
      'E       assert 2 == 1',
      'E        +  where 2 = len([(0, 0), (0, 1)])',
      '',
      't.py:7: AssertionError',
    ]);
    expect(await signatureText(log)).toBe('AssertionError | t.py::test_x | assert <n> == <n>');
  });

  it('a chain of exceptions: the last one, which pytest reports', async () => {
    const log = failing([
      '    def test_x():',
      '        try:',
      '>           {}["a"]',
      "E           KeyError: 'a'",
      '',
      't.py:4: KeyError',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      '    def test_x():',
      '        try:',
      '            {}["a"]',
      '        except KeyError as e:',
      '>           raise RuntimeError("wrapped failure on port %d" % port) from e',
      'E           RuntimeError: wrapped failure on port 40001',
      '',
      't.py:6: RuntimeError',
    ]);
    expect(await signatureText(log)).toBe('RuntimeError | t.py::test_x | wrapped failure on port <port>');
  });

  it('short style (--tb=short): `path:line: in function` lines', async () => {
    const log = failing(['t.py:16: in test_x', '    deep({})', 'helpers.py:2: in deep', '    return d["missing"]', "E   KeyError: 'missing'"]);
    expect(await signatureText(log)).toBe("KeyError | helpers.py::deep | 'missing'");
  });

  it('native style (--tb=native): a Python traceback', async () => {
    const log = failing([
      'Traceback (most recent call last):',
      '  File "/suite/t.py", line 16, in test_x',
      '    deep({})',
      '  File "/suite/helpers.py", line 2, in deep',
      '    return d["missing"]',
      "KeyError: 'missing'",
    ]);
    expect(await signatureText(log)).toBe("KeyError | helpers.py::deep | 'missing'");
  });

  it("pytest-timeout's signal method, in either wording, signs as the thread method's dump does; the failure keeps Python's type", async () => {
    for (const wording of ['Failed: Timeout >0.5s', 'Failed: Timeout (>90.0s) from pytest-timeout.']) {
      const log = failing(['t.py:16: in test_x', '    wait_for_events()', 'helpers.py:2: in wait_for_events', '    time.sleep(1)', `E   ${wording}`]);
      const c = await classify(log);
      expect(c.failures[0]!.signatureText, wording).toBe('pytest-timeout | helpers.py::wait_for_events | Timeout');
      expect(c.failures[0]!.exception).toBe('Failed');
    }
    // Not a timeout: a pytest.fail whose message only starts the same way.
    const log = failing(['t.py:16: in test_x', '    pytest.fail("Timeout >0.5s waiting for the router")', 'E   Failed: Timeout >0.5s waiting for the router']);
    expect(await signatureText(log)).toBe('Failed | t.py::test_x | Timeout ><duration> waiting for the router');
  });

  it('a method of a test class: the function, which is how tracebacks name it', async () => {
    const log = failing(['    def test_m(self):', '>       assert self.x == 2', 'E       assert 1 == 2', '', 't.py:8: AssertionError'], { test: 't.py::TestK::test_m', head: 'TestK.test_m' });
    expect(await signatureText(log)).toBe('AssertionError | t.py::test_m | assert <n> == <n>');
  });

  it("only the short summary: what follows the run's first detail is dropped, since the details' length moves the cut", async () => {
    const summaryOnly = (message: string) =>
      [HEADER, 't.py::test_x FAILED                                                    [100%]', '', '=========================== short test summary info ============================', `FAILED t.py::test_x - ${message}`, '============================== 1 failed in 0.10s ==============================='].join('\n');
    const a = await signatureText(summaryOnly('AssertionError: object <test_many.Thing object at 0x7f73dcfe5210> at pid 1 took 0.3...'));
    const b = await signatureText(summaryOnly('AssertionError: object <test_many.Thing object at 0x7f73dcfe5210> at pid 1234 took...'));
    expect(a).toBe('AssertionError | t.py::test_x | object <test_many.Thing object at 0x …');
    expect(b).toBe(a);
  });

  it('two ways of failing of one test give two signatures; the same way in another run, one', async () => {
    const run = (line: string) => failing(['    def test_x():', '>       check()', line, '', 't.py:3: ' + line.replace(/^E\s+/, '').replace(/:.*/, '')]);
    const first = await signatureText(run('E       AssertionError: found 3 with events after 0.25s'));
    const again = await signatureText(run('E       AssertionError: found 7 with events after 12.5s'));
    const other = await signatureText(run("E       KeyError: 'decode_worker_id'"));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });
});
