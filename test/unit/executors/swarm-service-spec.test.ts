import { describe, expect, it } from 'vitest';

import { UsageError } from '../../../src/core/errors.js';
import type { IterationSpec } from '../../../src/executors/executor.js';
import { DIR_LABEL, SWEEP_LABEL } from '../../../src/executors/labels.js';
import { serviceName, serviceSpec, TASK_SWEEP_LABEL } from '../../../src/executors/swarm/service-spec.js';
import { stagingFor } from '../../../src/executors/swarm/staging.js';

function spec(overrides: Partial<IterationSpec> = {}): IterationSpec {
  return {
    name: 'flakehunt-n4_fix.13-ab12cd-run007-abcdef',
    sweepId: 'n4_fix.13-ab12cd',
    iteration: 7,
    image: 'suite:latest',
    argv: ['python3', '-m', 'pytest', '-v', 't.py'],
    env: { HF_TOKEN: 'hf_tokenvalue123', FLAKEHUNT_ITERATION: '7' },
    envPass: ['PASSED_SECRET'],
    workdir: '/suite',
    mounts: [{ host: '/shared/tests', container: '/suite', readOnly: true }],
    artifactsDir: '/flakehunt/artifacts',
    inject: { '/flakehunt/plugin/flakehunt_reporter.py': '/opt/flakehunt/templates/pytest-plugin/flakehunt_reporter.py' },
    labels: { 'dev.flakehunt': '1', [SWEEP_LABEL]: 'n4_fix.13-ab12cd', 'dev.flakehunt.iteration': '7', [DIR_LABEL]: '/shared/logs/n4_fix.13' },
    resources: { init: true, network: null, shmBytes: null, ulimits: [], gpus: null, cpus: null, memoryBytes: null, cpuset: null },
    perturbation: null,
    ...overrides,
  };
}

const HOST_ENV = { PASSED_SECRET: 'host-only-value-xyz' };

function build(s: IterationSpec, revealEnv = true) {
  return serviceSpec(s, { image: `sha256:${'c'.repeat(64)}`, constraints: ['node.labels.pool==ci'], stopGraceMs: 10_000, staging: stagingFor(s, serviceName(s.name)), hostEnv: HOST_ENV, revealEnv });
}

describe('the service of an iteration', () => {
  it('is one replica, restart condition none, dnsrr, the image by id, and runs the docker executor\'s command, environment and mounts', () => {
    const s = spec();
    const created = build(s);
    const task = created.TaskTemplate as { ContainerSpec: Record<string, unknown>; RestartPolicy: unknown; Placement: unknown; Resources: unknown; Networks: unknown };
    expect(created.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(created.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(task.RestartPolicy).toEqual({ Condition: 'none', MaxAttempts: 0 });
    expect(task.Placement).toEqual({ Constraints: ['node.labels.pool==ci'] });
    expect(task.Networks).toBeUndefined();
    expect(created.Labels).toEqual(s.labels);
    const container = task.ContainerSpec;
    expect(container.Image).toBe(`sha256:${'c'.repeat(64)}`);
    expect(container.Args).toEqual(s.argv);
    expect(container.Env).toEqual(['HF_TOKEN=hf_tokenvalue123', 'FLAKEHUNT_ITERATION=7', 'PASSED_SECRET=host-only-value-xyz']);
    expect(container.Dir).toBe('/suite');
    expect(container.Init).toBe(true);
    expect(container.StopGracePeriod).toBe(10_000_000_000);
    expect(container.Labels).toEqual({ [TASK_SWEEP_LABEL]: 'n4_fix.13-ab12cd', 'dev.flakehunt.swarm.iteration': '7' });
    const staging = '/shared/logs/n4_fix.13/.swarm/flakehunt-n4_fix-13-ab12cd-run007-abcdef';
    expect(container.Mounts).toEqual([
      { Type: 'bind', Source: '/shared/tests', Target: '/suite', ReadOnly: true },
      { Type: 'bind', Source: `${staging}/files/0-flakehunt_reporter.py`, Target: '/flakehunt/plugin/flakehunt_reporter.py', ReadOnly: true },
      { Type: 'bind', Source: `${staging}/artifacts`, Target: '/flakehunt/artifacts' },
    ]);
  });

  it('masks secrets for --dry-run', () => {
    const container = (build(spec(), false).TaskTemplate as { ContainerSpec: { Env: string[] } }).ContainerSpec;
    expect(container.Env).toEqual(['HF_TOKEN=<redacted>', 'FLAKEHUNT_ITERATION=7', 'PASSED_SECRET=<from host, not shown>']);
  });

  it('maps the limits Swarm has: cpus, memory, ulimits, a tmpfs for --shm-size, a swarm network', () => {
    const s = spec({ resources: { init: false, network: 'host', shmBytes: 256 * 1024 ** 2, ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }], gpus: null, cpus: 1.5, memoryBytes: 2 * 1024 ** 3, cpuset: null } });
    const task = build(s).TaskTemplate as { ContainerSpec: { Init: boolean; Ulimits: unknown; Mounts: unknown[] }; Resources: unknown; Networks: unknown };
    expect(task.Resources).toEqual({ Limits: { NanoCPUs: 1.5e9, MemoryBytes: 2 * 1024 ** 3 } });
    expect(task.Networks).toEqual([{ Target: 'host' }]);
    expect(task.ContainerSpec.Init).toBe(false);
    expect(task.ContainerSpec.Ulimits).toEqual([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    expect(task.ContainerSpec.Mounts.at(-1)).toEqual({ Type: 'tmpfs', Source: '', Target: '/dev/shm', TmpfsOptions: { SizeBytes: 256 * 1024 ** 2, Mode: 0o1777 } });
  });

  it('refuses what a service cannot do: --gpus, --network none', () => {
    expect(() => build(spec({ resources: { ...spec().resources, gpus: { count: 'all' } } }))).toThrow(UsageError);
    expect(() => build(spec({ resources: { ...spec().resources, gpus: { count: 'all' } } }))).toThrow(/generic resources/);
    expect(() => build(spec({ resources: { ...spec().resources, network: 'none' } }))).toThrow(/--network none/);
  });

  it('needs the sweep folder label, where its files go', () => {
    const { [DIR_LABEL]: _dir, ...labels } = spec().labels;
    expect(() => build(spec({ labels }))).toThrow(/sweep folder/);
  });
});

describe('serviceName', () => {
  const DNS_LABEL = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
  it.each([
    ['flakehunt-serial-ab12cd-run001-abcdef', 'flakehunt-serial-ab12cd-run001-abcdef'],
    ['flakehunt-n4_fix.13-ab12cd-run007-abcdef', 'flakehunt-n4_fix-13-ab12cd-run007-abcdef'],
    ['.odd..name.', 'odd-name'],
  ])('%s → %s (a valid swarm service name)', (name, expected) => {
    expect(serviceName(name)).toBe(expected);
    expect(serviceName(name)).toMatch(DNS_LABEL);
  });

  it('shortens long names to 63 characters, kept apart by a hash of the whole', () => {
    const a = serviceName(`flakehunt-${'x'.repeat(80)}-run001-aaaaaa`);
    const b = serviceName(`flakehunt-${'x'.repeat(80)}-run001-bbbbbb`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(DNS_LABEL);
    expect(a).not.toBe(b);
  });
});
