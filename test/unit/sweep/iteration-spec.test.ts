import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

import { describe, expect, it } from 'vitest';

import type { ConfigValues } from '../../../src/config/config-file.js';
import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { DEFAULT_ARTIFACTS_DIR, PLUGIN_DIR, PLUGIN_MODULE } from '../../../src/core/container-paths.js';
import { ITERATION_LABEL, ownerOfLabels, SWEEP_LABEL, TOOL_LABEL, DIR_LABEL } from '../../../src/executors/labels.js';
import { currentProcess } from '../../../src/store/process-identity.js';
import { iterationSpec } from '../../../src/sweep/iteration-spec.js';
import type { SweepConfig } from '../../../src/sweep/sweep-config.js';
import { parallelismKind, runnerMode, testArgv } from '../../../src/sweep/test-command.js';

function config(flags: ConfigValues): SweepConfig {
  return resolveRunConfig({ image: 'suite:latest', ...flags }, {}, process.cwd());
}

describe('testArgv', () => {
  it('serial: pytest verbose with the reporter plugin, no -n', () => {
    const c = config({ pytestNodeid: ['tests/t.py::test_a', 'tests/u.py'] });
    expect(testArgv(c.run)).toEqual(['python3', '-m', 'pytest', '-v', '-rfE', '-p', PLUGIN_MODULE, 'tests/t.py::test_a', 'tests/u.py']);
    expect(PLUGIN_MODULE).toBe('flakehunt_reporter');
    expect(runnerMode(c.run)).toBe('pytest');
    expect(parallelismKind(c.run)).toBe('serial');
  });

  it('-n 4: xdist flags before the pytest args and node ids', () => {
    const c = config({ pytestNodeid: 'tests/t.py', parallelism: '4', pytestArgs: '-x --timeout 90', pytestLauncher: 'pytest' });
    expect(testArgv(c.run)).toEqual(['pytest', '-v', '-rfE', '-p', PLUGIN_MODULE, '-n', '4', '-x', '--timeout', '90', 'tests/t.py']);
    expect(parallelismKind(c.run)).toBe('xdist');
  });

  it('n4 means the same as 4', () => {
    expect(testArgv(config({ pytestNodeid: 't.py', parallelism: 'n4' }).run)).toEqual(testArgv(config({ pytestNodeid: 't.py', parallelism: '4' }).run));
  });

  it('--command: exactly the words given, nothing added', () => {
    const c = config({ command: `go test -run 'TestFlaky|TestOther' ./...`, parallelism: '4' });
    expect(testArgv(c.run)).toEqual(['go', 'test', '-run', 'TestFlaky|TestOther', './...']);
    expect(runnerMode(c.run)).toBe('command');
  });
});

describe('iterationSpec', () => {
  const owner = currentProcess();
  const sweep = { id: 'sweep-abc123', dir: '/logs/n4_fix' };

  it('sets the FLAKEHUNT_* variables and the --artifacts-env aliases, over the user’s values', () => {
    const c = config({
      pytestNodeid: 't.py',
      env: ['HF_HUB_OFFLINE=1', 'FLAKEHUNT_ITERATION=999'],
      artifactsEnv: ['TEST_ARTIFACTS', 'OUT_DIR'],
      artifactsDir: '/out/artifacts',
    });
    const spec = iterationSpec(c, sweep, 7, owner);
    expect(spec.env).toMatchObject({
      HF_HUB_OFFLINE: '1',
      FLAKEHUNT_ITERATION: '7',
      FLAKEHUNT_SWEEP: 'sweep-abc123',
      FLAKEHUNT_ARTIFACTS: '/out/artifacts',
      TEST_ARTIFACTS: '/out/artifacts',
      OUT_DIR: '/out/artifacts',
      PYTHONPATH: PLUGIN_DIR,
    });
    expect(spec.artifactsDir).toBe('/out/artifacts');
    expect(spec.iteration).toBe(7);
    expect(spec.sweepId).toBe('sweep-abc123');
    expect(spec.image).toBe('suite:latest');
    expect(spec.argv).toEqual(testArgv(c.run));
  });

  it('defaults the artifacts folder', () => {
    const spec = iterationSpec(config({ pytestNodeid: 't.py' }), sweep, 1, owner);
    expect(spec.env.FLAKEHUNT_ARTIFACTS).toBe(DEFAULT_ARTIFACTS_DIR);
  });

  it('labels the container with the sweep, the iteration, the folder and the owner', () => {
    const spec = iterationSpec(config({ pytestNodeid: 't.py' }), sweep, 12, owner);
    expect(spec.labels[TOOL_LABEL]).toBe('1');
    expect(spec.labels[SWEEP_LABEL]).toBe('sweep-abc123');
    expect(spec.labels[ITERATION_LABEL]).toBe('12');
    expect(spec.labels[DIR_LABEL]).toBe('/logs/n4_fix');
    expect(ownerOfLabels(spec.labels)).toEqual(owner);
    expect(spec.labels).toMatchObject({ 'dev.flakehunt.owner.host': os.hostname(), 'dev.flakehunt.owner.pid': String(process.pid) });
  });

  it('names each attempt uniquely, with the sweep and the run in the name', () => {
    const c = config({ pytestNodeid: 't.py' });
    const a = iterationSpec(c, sweep, 12, owner);
    const b = iterationSpec(c, sweep, 12, owner);
    expect(a.name).toMatch(/^flakehunt-sweep-abc123-run012-[0-9a-f]{6}$/);
    expect(a.name).not.toBe(b.name);
  });

  it('injects the plugin files, which exist on disk, into the plugin folder', () => {
    const spec = iterationSpec(config({ pytestNodeid: 't.py' }), sweep, 1, owner);
    expect(Object.keys(spec.inject).sort()).toEqual([`${PLUGIN_DIR}/flakehunt_forensics.py`, `${PLUGIN_DIR}/${PLUGIN_MODULE}.py`]);
    for (const file of Object.values(spec.inject)) {
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8').length).toBeGreaterThan(100);
    }
    expect(readFileSync(spec.inject[`${PLUGIN_DIR}/${PLUGIN_MODULE}.py`]!, 'utf8')).toContain('def pytest_runtest_logreport');
  });

  it('--command mode: no reporter plugin and no PYTHONPATH, only the forensics helper', () => {
    const spec = iterationSpec(config({ command: 'go test ./...' }), sweep, 1, owner);
    expect(Object.keys(spec.inject)).toEqual([`${PLUGIN_DIR}/flakehunt_forensics.py`]);
    expect(spec.env.PYTHONPATH).toBeUndefined();
    expect(existsSync(spec.inject[`${PLUGIN_DIR}/flakehunt_forensics.py`]!)).toBe(true);
  });

  // The plugin folder is added to a PYTHONPATH given with --env, never put in its place: the suite's
  // own import path must survive.
  it('keeps a PYTHONPATH given with --env, adding the plugin folder to it', () => {
    const spec = iterationSpec(config({ pytestNodeid: 't.py', env: ['PYTHONPATH=/suite/src'] }), sweep, 1, owner);
    expect(spec.env.PYTHONPATH!.split(':')).toEqual(expect.arrayContaining([PLUGIN_DIR, '/suite/src']));
  });
});
