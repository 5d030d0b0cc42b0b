import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_TAXONOMY } from '../../../src/classify/taxonomy-loader.js';
import type { ConfigValues } from '../../../src/config/config-file.js';
import { splitWords } from '../../../src/config/option-parsers.js';
import { resolveRunConfig } from '../../../src/config/resolve-run-config.js';
import { RUN_OPTIONS } from '../../../src/config/run-option-table.js';
import { UsageError } from '../../../src/core/errors.js';
import type { SweepConfig } from '../../../src/sweep/sweep-config.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flakehunt-options-'));
  await mkdir(path.join(dir, 'data'));
  await mkdir(path.join(dir, 'suite'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE: ConfigValues = { image: 'suite:latest', pytestNodeid: ['tests/t.py::test_a'] };

function resolve(flags: ConfigValues, file: ConfigValues = {}, fileDir = dir): SweepConfig {
  return resolveRunConfig(flags, file, fileDir);
}

/** The UsageError resolveRunConfig throws for these flags (fails the test if it does not throw one). */
function usageError(flags: ConfigValues, file: ConfigValues = {}): string {
  let caught: unknown;
  try {
    resolve(flags, file);
  } catch (error) {
    caught = error;
  }
  expect(caught, `no error for ${JSON.stringify(flags)}`).toBeInstanceOf(UsageError);
  return (caught as Error).message;
}

describe('resolveRunConfig: good input', () => {
  it('fills in the documented defaults', () => {
    const c = resolve(BASE);
    expect(c.executor).toBe('docker');
    expect(c.run).toEqual({
      image: 'suite:latest',
      nodeids: ['tests/t.py::test_a'],
      parallelism: 'serial',
      pytestLauncher: ['python3', '-m', 'pytest'],
      pytestArgs: [],
      command: null,
    });
    expect(c.schedule).toEqual({ start: 1, end: 100, jobs: 1, chunkSize: null, force: false, infraRetries: RUN_OPTIONS.infraRetries.default });
    expect(c.output).toEqual({
      tag: null,
      // Neither a flag nor the file: relative to the config file's folder (the working directory when there is none).
      logsDir: path.join(dir, 'logs'),
      taxonomyFile: DEFAULT_TAXONOMY,
      junit: null,
      annotations: null,
    });
    expect(c.container).toMatchObject({ env: {}, envPass: [], mounts: [], artifactsDir: '/flakehunt/artifacts' });
    expect(c.limits).toEqual({ timeoutMs: 3_600_000, idleTimeoutMs: 900_000, graceMs: 10_000 });
    expect(c.stop).toMatchObject({ untilFail: false, maxFailures: null });
    expect(c.container.resources).toEqual({ init: true, network: null, shmBytes: null, ulimits: [], gpus: null, cpus: null, memoryBytes: null, cpuset: null });
  });

  it.each([
    ['serial', 'serial'],
    ['4', '4'],
    ['n4', '4'],
    ['16', '16'],
  ])('accepts parallelism %j as %j', (given, stored) => {
    expect(resolve({ ...BASE, parallelism: given }).run.parallelism).toBe(stored);
  });

  it('accepts every resource flag in its documented form', () => {
    const c = resolve({ ...BASE, shmSize: '2g', memory: '512m', ulimit: ['nofile=1024:2048', 'core=-1'], gpus: 'device=0,1', cpus: '1.5', network: 'none', init: false });
    expect(c.container.resources).toEqual({
      init: false,
      network: 'none',
      shmBytes: 2 * 1024 ** 3,
      ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'core', soft: -1, hard: -1 }],
      gpus: { deviceIds: ['0', '1'] },
      cpus: 1.5,
      memoryBytes: 512 * 1024 ** 2,
      cpuset: null,
    });
  });

  it('parses --env KEY=VALUE (keeping = in values) and an env object from a config file', () => {
    expect(resolve({ ...BASE, env: ['A=1', 'URL=http://x/?a=b', 'EMPTY='] }).container.env).toEqual({ A: '1', URL: 'http://x/?a=b', EMPTY: '' });
    expect(resolve(BASE, { env: { HF_HUB_OFFLINE: 1, B: 'two' } }).container.env).toEqual({ HF_HUB_OFFLINE: '1', B: 'two' });
  });

  it('--jobs and --chunk-parallel may both be given when they agree', () => {
    expect(resolve({ ...BASE, jobs: '3', chunkParallel: 3 }).schedule.jobs).toBe(3);
    expect(resolve({ ...BASE, chunkParallel: '2', chunkSize: '5' }).schedule).toMatchObject({ jobs: 2, chunkSize: 5 });
  });

  it('--executor local needs no image', () => {
    expect(resolve({ executor: 'local', pytestNodeid: 't.py' }).run.image).toBeNull();
  });

  it('keeps quoted words of --command and $VARS literal (nothing is expanded)', () => {
    expect(resolve({ image: 'x', command: `bash -c 'echo "$HOME" | wc -c'` }).run.command).toEqual(['bash', '-c', 'echo "$HOME" | wc -c']);
    expect(resolve({ image: 'x', command: 'echo $HOME' }).run.command).toEqual(['echo', '$HOME']);
  });
});

describe('resolveRunConfig: every bad input is a UsageError naming the flag and the fix', () => {
  it('start after end', () => {
    const message = usageError({ ...BASE, start: 10, end: 5 });
    expect(message).toContain('--start 10');
    expect(message).toContain('--end 5');
    expect(message).toMatch(/start ≤ end, e\.g\. -s 1 -e 50/);
  });

  it.each([0, -1, '1.5', 'x'])('start %j', (start) => {
    expect(usageError({ ...BASE, start })).toMatch(/^--start must be a whole number ≥ 1/);
  });

  it.each(['fast', '0', '-1', 'n0', '4x', '', 'n-2'])('parallelism %j', (parallelism) => {
    const message = usageError({ ...BASE, parallelism });
    expect(message).toContain(`--parallelism ${JSON.stringify(parallelism)}`);
    expect(message).toMatch(/"serial" \(no xdist\) or a positive number N \(pytest -n N\)/);
  });

  it.each([undefined, '', '  '])('image %j with the docker executor', (image) => {
    const message = usageError({ pytestNodeid: 't.py', image });
    expect(message).toContain('--image is required with the docker executor');
    expect(message).toMatch(/-i dynamo:latest-dev \(or --executor local\)/);
  });

  it('an unknown executor', () => {
    expect(usageError({ ...BASE, executor: 'podman' })).toMatch(/--executor must be docker, local or swarm, got "podman"/);
  });

  it('nothing to run', () => {
    const message = usageError({ image: 'x' });
    expect(message).toMatch(/nothing to run/);
    expect(message).toContain('--pytest-nodeid');
    expect(message).toContain('--command');
  });

  it('an empty --command', () => {
    expect(usageError({ image: 'x', command: '   ' })).toMatch(/--command is empty: give the test runner command/);
  });

  it.each(['-x', '--lf', '-k test_a'])('node id %j that is an option', (nodeid) => {
    const message = usageError({ image: 'x', pytestNodeid: ['t.py', nodeid] });
    expect(message).toContain(`--pytest-nodeid ${JSON.stringify(nodeid)}`);
    expect(message).toContain('pass pytest options with --pytest-args');
  });

  it.each(['FOO', '=value'])('--env %j without KEY=', (entry) => {
    const message = usageError({ ...BASE, env: [entry] });
    expect(message).toContain(`--env ${JSON.stringify(entry)} is not KEY=VALUE`);
    expect(message).toMatch(/--env HF_HUB_OFFLINE=1 .*--env-pass NAME/);
  });

  it.each(['1FOO=x', 'A-B=1', 'A B=1', 'É=1'])('--env %j with a bad variable name', (entry) => {
    const message = usageError({ ...BASE, env: [entry] });
    expect(message).toContain('--env');
    expect(message).toContain(JSON.stringify(entry.slice(0, entry.indexOf('='))));
    expect(message).toContain('not a valid variable name');
  });

  it('a bad name in a config file env object', () => {
    expect(usageError(BASE, { env: { 'bad-name': 'x' } })).toMatch(/--env: "bad-name" is not a valid variable name/);
  });

  it.each([
    ['--env-pass', { envPass: ['HF-TOKEN'] }],
    ['--artifacts-env', { artifactsEnv: ['9LIVES'] }],
  ])('%s with a bad variable name', (flag, extra) => {
    expect(usageError({ ...BASE, ...extra })).toMatch(new RegExp(`^${flag} ".*" is not a valid variable name`));
  });

  it('a mount of a host path that does not exist', () => {
    const missing = path.join(dir, 'no-such-folder');
    const message = usageError({ ...BASE, mount: [`${missing}:/suite`] });
    expect(message).toContain('--mount');
    expect(message).toContain(`${missing} does not exist`);
    expect(message).toContain('give an existing host path');
  });

  it.each(['suite', './suite', 'suite/sub'])('a mount with the relative container path %j', (container) => {
    const message = usageError({ ...BASE, mount: [`${path.join(dir, 'data')}:${container}`] });
    expect(message).toContain('--mount');
    expect(message).toContain(`container path ${JSON.stringify(container)} must be absolute, like /suite`);
  });

  it.each(['justonepart', ':/x', `${os.tmpdir()}:`, `${os.tmpdir()}:/x:rx`, 'a:b:c:d'])('a mount %j that is not HOST:CONTAINER[:ro]', (entry) => {
    const message = usageError({ ...BASE, mount: [entry] });
    expect(message).toContain(`--mount ${JSON.stringify(entry)} is not HOST:CONTAINER[:ro]`);
    expect(message).toContain('--mount ./tests:/suite:ro');
  });

  it.each([
    [{ shmSize: 'lots' }, '--shm-size "lots" is not a size', 'write it like 512m, 2g or 1073741824'],
    [{ shmSize: '-1g' }, '--shm-size "-1g" is not a size', 'write it like 512m'],
    [{ memory: '2 gigs' }, '--memory "2 gigs" is not a size', 'write it like 512m'],
    [{ ulimit: ['nofile'] }, '--ulimit "nofile" is not NAME=SOFT[:HARD]', 'write it like nofile=1024:2048'],
    [{ ulimit: ['nofile=1:2:3'] }, '--ulimit "nofile=1:2:3"', 'nofile=1024:2048'],
    [{ gpus: 'many' }, '--gpus "many" is not all, a count, or device=ID[,ID]', 'device=ID'],
    [{ gpus: 'device=' }, '--gpus "device="', 'all, a count'],
    [{ cpus: '-1' }, '--cpus must be a positive number like 1.5', 'like 1.5'],
    [{ timeout: '10' }, '--timeout "10" is not a duration', 'like 90s, 10m'],
    [{ idleTimeout: '5 min' }, '--idle-timeout "5 min" is not a duration', 'like 90s, 10m'],
    [{ artifactsDir: 'relative/dir' }, '--artifacts-dir must be an absolute folder', 'other than /'],
    [{ artifactsDir: '/' }, '--artifacts-dir must be an absolute folder', 'other than /'],
  ] as Array<[ConfigValues, string, string]>)('resource/limit flag %j', (extra, what, fix) => {
    const message = usageError({ ...BASE, ...extra });
    expect(message).toContain(what);
    expect(message).toContain(fix);
  });

  it.each([
    [{ jobs: 0 }, '--jobs'],
    [{ jobs: '0' }, '--jobs'],
    [{ jobs: '-2' }, '--jobs'],
    [{ jobs: '1.5' }, '--jobs'],
    [{ chunkParallel: 0 }, '--chunk-parallel'],
    [{ chunkSize: 0 }, '--chunk-size'],
    [{ maxFailures: '0' }, '--max-failures'],
  ] as Array<[ConfigValues, string]>)('%j', (extra, flag) => {
    expect(usageError({ ...BASE, ...extra })).toMatch(new RegExp(`^${flag} must be a whole number ≥ 1, got `));
  });

  it('--infra-retries may be 0 but not negative', () => {
    expect(resolve({ ...BASE, infraRetries: 0 }).schedule.infraRetries).toBe(0);
    expect(usageError({ ...BASE, infraRetries: -1 })).toMatch(/^--infra-retries must be a whole number ≥ 0/);
  });

  it('--jobs and --chunk-parallel disagreeing', () => {
    const message = usageError({ ...BASE, jobs: 4, chunkParallel: 2 });
    expect(message).toContain('--jobs and --chunk-parallel');
    expect(message).toContain('give one of them');
  });

  it.each(['a | b', '$(x)', 'make && make test', 'pytest; rm -rf /', 'pytest > out.log', 'pytest &', 'a < b'])('--command %j with shell operators', (command) => {
    const message = usageError({ image: 'x', command });
    expect(message).toContain(`--command ${JSON.stringify(command)} contains shell syntax`);
    expect(message).toMatch(/it is not run by a shell: pass plain arguments, or wrap it as "bash -c '…'" yourself/);
  });

  it('shell operators in --pytest-args and --pytest-launcher too', () => {
    expect(usageError({ ...BASE, pytestArgs: '-x | tee log' })).toContain('--pytest-args "-x | tee log" contains shell syntax');
    expect(usageError({ ...BASE, pytestLauncher: 'cd /x && pytest' })).toContain('--pytest-launcher');
    expect(() => splitWords('a || b', '--flag')).toThrow(UsageError);
  });
});

describe('resolveRunConfig: flags over the config file', () => {
  it('a flag beats the file; the file beats the default', () => {
    const c = resolve(
      { parallelism: '4', image: 'flag:img', end: 20 },
      { parallelism: 'serial', image: 'file:img', timeout: '5m', end: 10, start: 3, pytestNodeid: ['from/file.py'], tag: 'filetag' },
    );
    expect(c.run).toMatchObject({ parallelism: '4', image: 'flag:img', nodeids: ['from/file.py'] });
    expect(c.schedule).toMatchObject({ end: 20, start: 3 });
    expect(c.limits.timeoutMs).toBe(300_000);
    expect(c.output.tag).toBe('filetag');
  });

  it("resolves the file's relative paths against the file's folder, and the flags' against the working directory", () => {
    const fromFile = resolve(BASE, { mount: ['data:/data:ro', './suite:/suite'], logsDir: 'out/logs', taxonomy: 'my-taxonomy.json' }, dir);
    expect(fromFile.container.mounts).toEqual([
      { host: path.join(dir, 'data'), container: '/data', readOnly: true },
      { host: path.join(dir, 'suite'), container: '/suite', readOnly: false },
    ]);
    expect(fromFile.output.logsDir).toBe(path.join(dir, 'out', 'logs'));
    expect(fromFile.output.taxonomyFile).toBe(path.join(dir, 'my-taxonomy.json'));

    const fromFlags = resolve({ ...BASE, logsDir: 'flag-logs', taxonomy: 'flag-tax.json', mount: ['test:/t'] }, { logsDir: 'out/logs' }, dir);
    expect(fromFlags.output.logsDir).toBe(path.resolve(process.cwd(), 'flag-logs'));
    expect(fromFlags.output.taxonomyFile).toBe(path.resolve(process.cwd(), 'flag-tax.json'));
    expect(fromFlags.container.mounts).toEqual([{ host: path.resolve(process.cwd(), 'test'), container: '/t', readOnly: false }]);
  });

  it('a mount path relative to the config file is checked there, not in the working directory', () => {
    const message = (() => {
      try {
        resolve(BASE, { mount: ['data:/data'] }, path.join(dir, 'suite'));
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain(`${path.join(dir, 'suite', 'data')} does not exist`);
  });

  // --jobs and chunkParallel may come from different sources: a flag wins over the config file
  // rather than counting as giving both.
  it('--jobs on the command line wins over chunkParallel in the config file', () => {
    expect(resolve({ ...BASE, jobs: 4 }, { chunkParallel: 2 }).schedule.jobs).toBe(4);
  });
});
