import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { execa, type ResultPromise } from 'execa';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/flakehunt.js');
export const IMAGE = process.env.FLAKEHUNT_TEST_IMAGE ?? 'flakehunt-pytest:bookworm';
export const E2E_SUITE = path.join(ROOT, 'test/fixtures/e2e-suite');

/** Arguments that run the known-failure suite in the test image. */
export function suiteArgs(logsDir: string, extra: string[] = []): string[] {
  return ['run', '-i', IMAGE, '--mount', `${E2E_SUITE}:/suite:ro`, '--workdir', '/suite', '--pytest-nodeid', 'test_known.py',
    '--pytest-args', '-p no:cacheprovider', '--logs-dir', logsDir, '--no-progress', '--env-pass', 'FH_BLOCK_AT', ...extra];
}

/** Runs the built CLI; never throws on a non-zero exit. */
export function cli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): ResultPromise<{ reject: false; all: true }> {
  return execa('node', [BIN, ...args], { reject: false, all: true, env: { ...options.env, NO_COLOR: '1' }, cwd: options.cwd ?? ROOT, stdin: 'ignore' }) as never;
}

export async function tempDir(prefix = 'flakehunt-e2e-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Awaits a condition, checking it every 100 ms, up to a deadline (then fails with what was awaited). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function fileContains(file: string, text: string): Promise<boolean> {
  return existsSync(file) && (await readFile(file, 'utf8')).includes(text);
}

/** Containers (any state) that flakehunt made for sweeps under this folder. */
export async function containersUnder(dir: string): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '-a', '--filter', 'label=dev.flakehunt', '--format', '{{.ID}} {{.Label "dev.flakehunt.dir"}}']);
  return stdout.split('\n').filter((line) => line.trim() !== '' && line.split(' ')[1]?.startsWith(dir));
}

/** The containers of sweeps under `dir`, with their state (`running`, `created`, …) and iteration. */
export async function containerStatesUnder(dir: string): Promise<Array<{ id: string; state: string; iteration: number }>> {
  const { stdout } = await execa('docker', ['ps', '-a', '--filter', 'label=dev.flakehunt', '--format', '{{.ID}} {{.State}} {{.Label "dev.flakehunt.iteration"}} {{.Label "dev.flakehunt.dir"}}']);
  return stdout
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[3]?.startsWith(dir))
    .map(([id, state, iteration]) => ({ id: id!, state: state!, iteration: Number(iteration) }));
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** Fails the run (rather than skipping) when the daemon is missing under CI. */
export async function requireDocker(): Promise<boolean> {
  const probe = await execa('docker', ['image', 'inspect', IMAGE], { reject: false });
  if (probe.exitCode === 0) return true;
  if (process.env.CI) throw new Error(`Docker or the test image ${IMAGE} is not available (${probe.stderr.trim()}): .ci/run must start dockerd and build it`);
  return false;
}

/** The expected classes of an iteration of the known-failure suite. */
export function expectedClasses(iteration: number): string[] {
  const classes: string[] = [];
  if (iteration % 5 === 0) classes.push('A1');
  if (iteration % 7 === 0) classes.push('A2');
  return classes.sort();
}
