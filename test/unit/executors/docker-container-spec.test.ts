import { describe, expect, it } from 'vitest';

import { containerCreateOptions } from '../../../src/executors/docker/container-spec.js';
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
    resources: { init: true, network: null, shmBytes: null, ulimits: [], gpus: null, cpus: null, memoryBytes: null, cpuset: null },
    perturbation: null,
    ...overrides,
  };
}

const HOST_ENV = { PASSED_SECRET: 'host-only-value-xyz', UNRELATED: 'u' };

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
      spec({ resources: { init: false, network: 'none', shmBytes: 2 * 1024 ** 3, ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'core', soft: -1, hard: -1 }], gpus: { deviceIds: ['0', '1'] }, cpus: 1.5, memoryBytes: 512 * 1024 ** 2, cpuset: null } }),
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

  it('asks for every GPU, or a count of them', () => {
    const request = (gpus: IterationSpec['resources']['gpus']) => containerCreateOptions(spec({ resources: { ...spec().resources, gpus } }), {}, false).HostConfig!.DeviceRequests;
    expect(request({ count: 'all' })).toEqual([{ Driver: '', Capabilities: [['gpu']], Count: -1 }]);
    expect(request({ count: 2 })).toEqual([{ Driver: '', Capabilities: [['gpu']], Count: 2 }]);
  });

  it('leaves out Image and WorkingDir when there are none', () => {
    const options = containerCreateOptions(spec({ image: null, workdir: null }), {}, false);
    expect(options.Image).toBeUndefined();
    expect(options.WorkingDir).toBeUndefined();
  });
});
