import { describe, expect, it } from 'vitest';

import { UsageError } from '../../../src/core/errors.js';
import { containerCreateOptions, parseByteSize, parseGpus, parseUlimit } from '../../../src/executors/docker/container-spec.js';
import { SECRET_NAME } from '../../../src/core/secrets.js';
import type { IterationSpec } from '../../../src/executors/executor.js';

function spec(overrides: Partial<IterationSpec> = {}): IterationSpec {
  return {
    name: 'flakehunt-s1-run001-abcdef',
    sweepId: 's1',
    iteration: 1,
    image: 'suite:latest',
    argv: ['python3', '-m', 'pytest', '-v', 't.py'],
    env: {
      HF_HUB_OFFLINE: '1',
      HF_TOKEN: 'hf_tokenvalue123',
      MY_API_KEY: 'apikeyvalue',
      DB_PASSWORD: 'pw-value',
      GITHUB_AUTH: 'ghauth-value',
      FLAKEHUNT_ITERATION: '1',
    },
    envPass: ['PASSED_SECRET', 'NOT_ON_HOST'],
    workdir: '/suite',
    mounts: [
      { host: '/host/tests', container: '/suite', readOnly: true },
      { host: '/host/cache', container: '/cache', readOnly: false },
    ],
    artifactsDir: '/flakehunt/artifacts',
    inject: {},
    labels: { 'dev.flakehunt': '1' },
    resources: { init: true, network: null, shmSize: null, ulimits: [], gpus: null, cpus: null, memory: null },
    ...overrides,
  };
}

const HOST_ENV = { PASSED_SECRET: 'host-only-value-xyz', UNRELATED: 'u' };

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseByteSize', () => {
  it.each([
    ['1073741824', 1073741824],
    ['64k', 65536],
    ['512m', 536870912],
    ['1g', 1073741824],
    ['2G', 2147483648],
    ['1.5g', 1610612736],
    ['1t', 1024 ** 4],
    ['512mb', 536870912],
    ['2GiB', 2147483648],
    [' 8m ', 8388608],
    ['100b', 100],
  ])('%j → %d bytes', (text, bytes) => {
    expect(parseByteSize(text, '--shm-size')).toBe(bytes);
  });

  it.each(['', 'lots', '-1g', '1x', 'g', '1gg', '1..5g', '1,5g'])('rejects %j naming the flag and the fix', (text) => {
    const error = thrown(() => parseByteSize(text, '--memory'));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`--memory ${JSON.stringify(text)} is not a size: write it like 512m, 2g or 1073741824`);
  });
});

describe('parseUlimit', () => {
  it('reads NAME=SOFT:HARD and NAME=VALUE', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ Name: 'nofile', Soft: 1024, Hard: 2048 });
    expect(parseUlimit('core=-1')).toEqual({ Name: 'core', Soft: -1, Hard: -1 });
    expect(parseUlimit('nproc=512')).toEqual({ Name: 'nproc', Soft: 512, Hard: 512 });
  });

  it.each(['nofile', 'nofile=', 'NOFILE=1', 'nofile=a', 'nofile=1:2:3', '=1', 'no file=1'])('rejects %j', (text) => {
    const error = thrown(() => parseUlimit(text));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(`--ulimit ${JSON.stringify(text)}`);
    expect(error.message).toContain('nofile=1024:2048');
  });
});

describe('parseGpus', () => {
  it('reads all, a count, and device lists', () => {
    expect(parseGpus('all')).toEqual({ Driver: '', Capabilities: [['gpu']], Count: -1 });
    expect(parseGpus('2')).toEqual({ Driver: '', Capabilities: [['gpu']], Count: 2 });
    expect(parseGpus('device=0,1')).toEqual({ Driver: '', Capabilities: [['gpu']], DeviceIDs: ['0', '1'] });
    expect(parseGpus('device=GPU-3f2a-11')).toMatchObject({ DeviceIDs: ['GPU-3f2a-11'] });
  });

  it.each(['', 'many', 'device=', 'ALL', '-1', 'device=0;1', '2 gpus'])('rejects %j', (text) => {
    const error = thrown(() => parseGpus(text));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`--gpus ${JSON.stringify(text)} is not all, a count, or device=ID[,ID]`);
  });
});

describe('containerCreateOptions', () => {
  it('with revealEnv false masks secret-looking --env values and shows --env-pass by name only', () => {
    const options = containerCreateOptions(spec(), HOST_ENV, false);
    expect(options.Env).toEqual([
      'HF_HUB_OFFLINE=1',
      'HF_TOKEN=<redacted>',
      'MY_API_KEY=<redacted>',
      'DB_PASSWORD=<redacted>',
      'GITHUB_AUTH=<redacted>',
      'FLAKEHUNT_ITERATION=1',
      'PASSED_SECRET=<from host, not shown>',
    ]);
    const everything = JSON.stringify(options);
    for (const secret of ['hf_tokenvalue123', 'apikeyvalue', 'pw-value', 'ghauth-value', 'host-only-value-xyz']) {
      expect(everything).not.toContain(secret);
    }
    // Host variables not named with --env-pass never get in.
    expect(everything).not.toContain('UNRELATED');
  });

  it('with revealEnv true passes the real values, host ones included', () => {
    const options = containerCreateOptions(spec(), HOST_ENV, true);
    expect(options.Env).toEqual([
      'HF_HUB_OFFLINE=1',
      'HF_TOKEN=hf_tokenvalue123',
      'MY_API_KEY=apikeyvalue',
      'DB_PASSWORD=pw-value',
      'GITHUB_AUTH=ghauth-value',
      'FLAKEHUNT_ITERATION=1',
      'PASSED_SECRET=host-only-value-xyz',
    ]);
  });

  it('skips an --env-pass variable the host does not have', () => {
    for (const reveal of [true, false]) {
      expect(containerCreateOptions(spec(), {}, reveal).Env!.some((e) => e.startsWith('PASSED_SECRET=') || e.startsWith('NOT_ON_HOST='))).toBe(false);
    }
  });

  it('recognises secret-looking names case-insensitively', () => {
    for (const name of ['HF_TOKEN', 'hf_token', 'AWS_SECRET_ACCESS_KEY', 'PASSWD', 'OPENAI_API_KEY', 'APIKEY', 'GPG_PRIVATE', 'X_CREDENTIALS', 'AUTH']) {
      expect(SECRET_NAME.test(name)).toBe(true);
    }
    for (const name of ['HF_HUB_OFFLINE', 'PATH', 'FLAKEHUNT_ITERATION', 'PYTHONPATH']) expect(SECRET_NAME.test(name)).toBe(false);
  });

  it('runs the argv without a shell, attaches stdout and stderr without a TTY, and never auto-removes', () => {
    const options = containerCreateOptions(spec(), HOST_ENV, false);
    expect(options).toMatchObject({
      name: 'flakehunt-s1-run001-abcdef',
      Image: 'suite:latest',
      Cmd: ['python3', '-m', 'pytest', '-v', 't.py'],
      WorkingDir: '/suite',
      Labels: { 'dev.flakehunt': '1' },
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
    });
    expect(options.HostConfig).toEqual({ Binds: ['/host/tests:/suite:ro', '/host/cache:/cache'], AutoRemove: false, Init: true });
  });

  it('translates every resource limit', () => {
    const options = containerCreateOptions(
      spec({ resources: { init: false, network: 'none', shmSize: '2g', ulimits: ['nofile=1024:2048', 'core=-1'], gpus: 'device=0,1', cpus: 1.5, memory: '512m' } }),
      {},
      false,
    );
    expect(options.HostConfig).toEqual({
      Binds: ['/host/tests:/suite:ro', '/host/cache:/cache'],
      AutoRemove: false,
      Init: false,
      NetworkMode: 'none',
      ShmSize: 2 * 1024 ** 3,
      Memory: 512 * 1024 ** 2,
      NanoCpus: 1_500_000_000,
      Ulimits: [
        { Name: 'nofile', Soft: 1024, Hard: 2048 },
        { Name: 'core', Soft: -1, Hard: -1 },
      ],
      DeviceRequests: [{ Driver: '', Capabilities: [['gpu']], DeviceIDs: ['0', '1'] }],
    });
  });

  it('leaves out Image and WorkingDir when there are none', () => {
    const options = containerCreateOptions(spec({ image: null, workdir: null }), {}, false);
    expect(options.Image).toBeUndefined();
    expect(options.WorkingDir).toBeUndefined();
  });
});
