import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { cli, IMAGE, requireDocker, tempDir } from './helpers.js';

const hasDocker = await requireDocker();

interface Doctor { ok: boolean; checks: Array<{ name: string; status: string; detail: string; fix?: string }> }

describe.skipIf(!hasDocker)('flakehunt doctor', () => {
  it('with the daemon up and the image there: every check ok, exit 0', async () => {
    const run = await cli(['doctor', '-i', IMAGE, '--json']);
    expect(run.exitCode, run.all).toBe(0);
    const doctor = JSON.parse(run.stdout) as Doctor;
    expect(doctor.ok).toBe(true);
    const byName = new Map(doctor.checks.map((c) => [c.name, c]));
    expect(byName.get('node')!.status).toBe('ok');
    expect(byName.get('docker daemon')!.detail).toMatch(/^20\.10\.\d+.* \(API 1\.\d+\) at unix:\/\/\/var\/run\/docker\.sock, on this machine, \d+ CPUs$/);
    expect(byName.get(`image ${IMAGE}`)!.detail).toMatch(/runs as root/);
    expect(byName.get('freezer (stall:…)')!.status).toBe('ok');
    expect(byName.get('CPU quota (cpu:…)')!.status).toBe('ok');
    expect(byName.get('disk (logs folder)')!.status).toBe('ok');
    expect(byName.get('swarm')!.detail).toMatch(/swarm/);
  });

  it('with the daemon down: a FAIL that says how to start it, exit 3', async () => {
    const run = await cli(['doctor'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(/^FAIL  docker daemon: cannot reach it at DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock/m);
    expect(run.stdout).toMatch(/→ start it/);
    expect(run.stdout).toMatch(/A sweep cannot run here until the FAIL lines are fixed\./);
  });

  it('with a logs folder that cannot be made (a file in its path) or is not on a disk: a FAIL, exit 3', async () => {
    const file = path.join(await tempDir(), 'plain-file');
    await writeFile(file, 'x');
    const run = await cli(['doctor', '--logs-dir', path.join(file, 'logs'), '--json']);
    expect(run.exitCode).toBe(3);
    expect((JSON.parse(run.stdout) as Doctor).checks.find((c) => c.name === 'disk (logs folder)')).toMatchObject({ status: 'fail', detail: `${file} is a file, so ${path.join(file, 'logs')} cannot be made` });
    const proc = JSON.parse((await cli(['doctor', '--logs-dir', '/proc/nope/x', '--json'])).stdout) as Doctor;
    expect(proc.checks.find((c) => c.name === 'disk (logs folder)')).toMatchObject({ status: 'fail', detail: '/proc is not on a disk (a proc file system)' });
  });

  it('with the image missing: a FAIL that says how to get it, exit 3', async () => {
    const run = await cli(['doctor', '-i', 'flakehunt-no-such-image:never', '--json']);
    expect(run.exitCode).toBe(3);
    const doctor = JSON.parse(run.stdout) as Doctor;
    expect(doctor.checks.find((c) => c.name === 'image flakehunt-no-such-image:never')).toMatchObject({ status: 'fail', detail: 'not on this Docker host', fix: expect.stringMatching(/build or pull it/) });
  });
});
