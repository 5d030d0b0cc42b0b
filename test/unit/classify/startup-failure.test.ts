import { describe, expect, it } from 'vitest';

import { classify } from './helpers.js';

describe('pytest that cannot start: a start-up failure that stops the sweep, with its cause', () => {
  it('a conftest.py that raises (pytest 7.2, as the image prints it)', async () => {
    const log = [
      "ImportError while loading conftest '/suite/conftest.py'.",
      'conftest.py:1: in <module>',
      '    import nonexistent_mod_x',
      "E   ModuleNotFoundError: No module named 'nonexistent_mod_x'",
    ].join('\n');
    const c = await classify(log, { exit: { exitCode: 4 } });
    expect(c).toMatchObject({
      status: 'error',
      collectionFailure: true,
      failures: [],
      startupFailure: { what: 'conftest', name: '/suite/conftest.py', error: "ModuleNotFoundError: No module named 'nonexistent_mod_x'" },
      note: "pytest could not start (exit 4): /suite/conftest.py raised while being imported: ModuleNotFoundError: No module named 'nonexistent_mod_x'",
    });
  });

  it('a -p plugin that does not import: the last line of the traceback names it', async () => {
    const log = [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/dist-packages/_pytest/config/__init__.py", line 774, in import_plugin',
      '    __import__(importspec)',
      "ModuleNotFoundError: No module named 'nonexistent_plugin'",
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "<frozen runpy>", line 198, in _run_module_as_main',
      'ImportError: Error importing plugin "nonexistent_plugin": No module named \'nonexistent_plugin\'',
    ].join('\n');
    const c = await classify(log, { exit: { exitCode: 1 } });
    expect(c.startupFailure).toEqual({ what: 'plugin', name: 'nonexistent_plugin', error: "No module named 'nonexistent_plugin'" });
    expect(c.collectionFailure).toBe(true);
    expect(c.note).toBe('pytest could not start (exit 1): plugin "nonexistent_plugin" does not import: No module named \'nonexistent_plugin\'');
  });

  it('an unknown flag, and a launcher without pytest', async () => {
    const usage = await classify(
      ['ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]', '__main__.py: error: unrecognized arguments: --no-such-flag', '  inifile: None', '  rootdir: /suite'].join('\n'),
      { exit: { exitCode: 4 } },
    );
    expect(usage.startupFailure).toEqual({ what: 'usage', name: null, error: 'unrecognized arguments: --no-such-flag' });
    expect(usage.note).toBe('pytest could not start (exit 4): unrecognized arguments: --no-such-flag');
    const missing = await classify('/usr/bin/python3: No module named pytest', { exit: { exitCode: 1 } });
    expect(missing).toMatchObject({ collectionFailure: true, startupFailure: { what: 'pytest', error: 'No module named pytest' } });
  });

  it('not once the session has started, and not for any traceback before it (a crash need not happen every time)', async () => {
    const started = await classify(['============================= test session starts ==============================', 'ImportError: Error importing plugin "x": nope'].join('\n'), { exit: { exitCode: 1 } });
    expect(started.startupFailure).toBeNull();
    const crash = await classify(['Traceback (most recent call last):', '  File "/usr/lib/python3/dist-packages/_pytest/main.py", line 270, in wrap_session', 'RuntimeError: the plugin manager exploded'].join('\n'), { exit: { exitCode: 3 } });
    expect(crash).toMatchObject({ status: 'error', collectionFailure: false, startupFailure: null });
  });
});

describe('the container\'s program cannot be executed', () => {
  const tini = '[FATAL tini (7)] exec nosuchbin failed: No such file or directory';

  it('exit 127 with init\'s message: a start-up failure naming the program, under pytest and --command alike', async () => {
    for (const mode of ['pytest', 'command'] as const) {
      const c = await classify(`${tini}\n`, { mode, exit: { exitCode: 127 } });
      expect(c.status, mode).toBe('error');
      expect(c.startupFailure).toEqual({ what: 'command', name: 'nosuchbin', error: 'nosuchbin cannot be executed: No such file or directory' });
      expect(c.note).toBe("the container's command could not start (exit 127): nosuchbin cannot be executed: No such file or directory");
      expect(c.failures).toEqual([]);
    }
  });

  it('exit 127 without it (a test script whose own command is missing) is an ordinary failure', async () => {
    const c = await classify('sh: 1: helper: not found\n', { mode: 'command', exit: { exitCode: 127 } });
    expect(c.status).toBe('failed');
    expect(c.startupFailure).toBeNull();
  });
});
