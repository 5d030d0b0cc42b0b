/**
 * Installs flakehunt as a user would, from the package `npm pack` makes, into a fresh prefix
 * (`npm install -g --prefix`), and runs the installed command from a folder outside the
 * repository: --help, a dry run, and a real two-iteration sweep whose pytest plugin and taxonomy
 * can only come from the installed package's templates. Only the npm registry is reached.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { E2E_SUITE, IMAGE, requireDocker, ROOT, tempDir } from './helpers.js';

let root = '';
let installed = '';
let packSeconds = 0;
let installSeconds = 0;

/** The environment without what `npm test` sets for its children (npm_config_prefix and the like would redirect the install). */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => !e[0].toLowerCase().startsWith('npm_') && e[1] !== undefined));
}

function flakehunt(args: string[]) {
  return execa(installed, args, { cwd: root, env: { ...cleanEnv(), NO_COLOR: '1' }, extendEnv: false, reject: false, all: true, stdin: 'ignore' });
}

describe('installed from the npm package', () => {
  beforeAll(async () => {
    root = await tempDir('flakehunt-install-');
    const env = cleanEnv();
    let started = Date.now();
    const pack = await execa('npm', ['pack', '--json', '--pack-destination', root], { cwd: ROOT, env, extendEnv: false, stdin: 'ignore' });
    packSeconds = (Date.now() - started) / 1000;
    const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
    started = Date.now();
    await execa('npm', ['install', '-g', '--prefix', path.join(root, 'prefix'), '--no-audit', '--no-fund', '--prefer-offline', path.join(root, filename)], {
      cwd: root,
      env,
      extendEnv: false,
      stdin: 'ignore',
    });
    installSeconds = (Date.now() - started) / 1000;
    installed = path.join(root, 'prefix', 'bin', 'flakehunt');
  }, 600_000);

  afterAll(async () => {
    console.log(`npm pack ${packSeconds.toFixed(1)} s, npm install -g ${installSeconds.toFixed(1)} s`);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('installs the command with its runtime dependencies only', async () => {
    expect(existsSync(installed)).toBe(true);
    const modules = await readdir(path.join(root, 'prefix', 'lib', 'node_modules', 'flakehunt', 'node_modules'));
    expect(modules).toContain('dockerode');
    for (const dev of ['typescript', 'vitest', 'esbuild', 'marked']) expect(modules).not.toContain(dev);
    const shipped = await readdir(path.join(root, 'prefix', 'lib', 'node_modules', 'flakehunt'));
    expect(shipped.sort()).toEqual(['README.md', 'bin', 'dist', 'node_modules', 'package.json', 'templates']);
    // Not the build tooling, which needs devDependencies.
    expect((await readdir(path.join(root, 'prefix', 'lib', 'node_modules', 'flakehunt', 'bin'))).sort()).toEqual(['flakehunt.js', 'setup-machine.sh']);
  });

  it('answers --help', async () => {
    const help = await flakehunt(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: flakehunt/);
    for (const command of ['run', 'status', 'compare', 'report', 'classify']) expect(help.stdout).toContain(command);
  });

  it('plans a sweep with --dry-run', async () => {
    const dry = await flakehunt(['run', '--dry-run', '-i', IMAGE, '--pytest-nodeid', 'tests/test_a.py', '-e', '2', '--logs-dir', 'logs']);
    expect(dry.exitCode, dry.all).toBe(0);
    expect(dry.stdout).toContain(`sweep folder: ${path.join(root, 'logs', 'serial')} (new)`);
    expect(dry.stdout).toMatch(/^run002: \{.*"-p","flakehunt_reporter","tests\/test_a\.py"/m);
    expect(existsSync(path.join(root, 'logs'))).toBe(false);
  });

  it('runs a real sweep with the plugin and taxonomy of the installed templates', async (context) => {
    if (!(await requireDocker())) context.skip();
    const run = await flakehunt(['run', '-i', IMAGE, '--mount', `${E2E_SUITE}:/suite:ro`, '--workdir', '/suite', '--pytest-nodeid', 'test_known.py',
      '--pytest-args', '-p no:cacheprovider', '-s', '4', '-e', '5', '--logs-dir', 'logs', '--no-progress']);
    // Iteration 5 fails test_router_decisions, which the default taxonomy calls A1.
    expect(run.exitCode, run.all).toBe(1);
    const sweep = path.join(root, 'logs', 'serial');
    const result = async (n: number) => JSON.parse(await readFile(path.join(sweep, `run00${n}`, 'result.json'), 'utf8')) as IterationResult;
    expect([(await result(4)).status, (await result(5)).status]).toEqual(['passed', 'failed']);
    expect((await result(5)).classes).toEqual(['A1']);
    const reports = await readdir(path.join(sweep, 'run004', 'artifacts', 'flakehunt'));
    expect(reports.some((name) => /^reports-main-\d+\.jsonl$/.test(name))).toBe(true);
  });
});
