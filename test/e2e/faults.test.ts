import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IterationResult } from '../../src/core/result.js';
import { BIN, cli, containerStatesUnder, containersUnder, fileContains, IMAGE, readJson, requireDocker, ROOT, suiteArgs, tempDir, waitFor } from './helpers.js';

const hasDocker = await requireDocker();

function spawnCli(args: string[], env: Record<string, string> = {}) {
  return execa('node', [BIN, ...args], { reject: false, all: true, env: { ...env, NO_COLOR: '1' }, cwd: ROOT, stdin: 'ignore' });
}

async function results(sweep: string): Promise<IterationResult[]> {
  const jsonl = await readFile(path.join(sweep, 'results.jsonl'), 'utf8');
  return jsonl.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as IterationResult);
}

describe.runIf(hasDocker)('surviving faults', () => {
  let logs: string;
  beforeAll(async () => { logs = await tempDir(); });
  afterAll(async () => { await rm(logs, { recursive: true, force: true }); });

  it('a SIGKILLed sweep is resumed to completion: nothing lost, nothing duplicated, no container left', async () => {
    const sweep = path.join(logs, 'serial_killed');
    const args = suiteArgs(logs, ['-s', '1', '-e', '6', '-t', 'killed']);
    const victim = spawnCli(args, { FH_BLOCK_AT: '4' });
    await waitFor('iteration 4 to block', () => fileContains(path.join(sweep, 'run004', 'run.log'), 'GATE: blocking'));
    victim.kill('SIGKILL');
    const killed = await victim;
    expect(killed.signal).toBe('SIGKILL');
    // The running iteration's container, and maybe the next one's, created while it ran but never started
    // (iteration 3's may still be on its way out: it is removed in the background once its slot is free).
    const left = (await containerStatesUnder(sweep)).filter((c) => c.iteration >= 4);
    expect(left.filter((c) => c.state === 'running').map((c) => c.iteration)).toEqual([4]);
    expect(left.filter((c) => c.state !== 'running').map((c) => `${c.iteration}:${c.state}`)).toEqual(left.length === 2 ? ['5:created'] : []);

    // Counted again when the requests the killed process had sent are done (a create, a removal).
    const atResume = await containerStatesUnder(sweep);
    const resumed = await cli(args);
    expect(resumed.stderr).toContain('3 iteration(s) to run, 3 already finished');
    expect(resumed.stderr).toMatch(new RegExp(`removed ${atResume.length} container\\(s\\) left behind by an earlier, killed run`));
    expect(resumed.exitCode).toBe(1);
    const all = await results(sweep);
    expect(all.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.every((r) => r.status === 'passed' || r.status === 'failed')).toBe(true);
    // The half-written attempt is kept aside, not deleted.
    expect(await readdir(path.join(sweep, 'run004'))).toContain('attempt-1');
    expect(await fileContains(path.join(sweep, 'run004', 'attempt-1', 'run.log'), 'GATE: blocking')).toBe(true);
    expect((await readJson<IterationResult>(path.join(sweep, 'run004', 'result.json'))).attempt).toBe(2);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 180_000);

  it('Ctrl-C stops in-flight containers, marks them interrupted, writes the summary and exits 130', async () => {
    const sweep = path.join(logs, 'serial_sigint');
    const args = suiteArgs(logs, ['-s', '1', '-e', '5', '-t', 'sigint']);
    const run = spawnCli(args, { FH_BLOCK_AT: '2' });
    await waitFor('iteration 2 to block', () => fileContains(path.join(sweep, 'run002', 'run.log'), 'GATE: blocking'));
    const signalledAt = Date.now();
    run.kill('SIGINT');
    const done = await run;
    expect(done.exitCode).toBe(130);
    expect(Date.now() - signalledAt).toBeLessThan(20_000);
    expect(await containersUnder(sweep)).toEqual([]);
    const interrupted = await readJson<IterationResult>(path.join(sweep, 'run002', 'result.json'));
    expect(interrupted.status).toBe('interrupted');
    expect(existsSync(path.join(sweep, 'run003'))).toBe(false);
    expect(await readFile(path.join(sweep, 'summary.txt'), 'utf8')).toContain('1 interrupted');

    const resumed = await cli(args);
    expect(resumed.stderr).toContain('4 iteration(s) to run, 1 already finished');
    expect((await results(sweep)).map((r) => `${r.iteration}:${r.status}`)).toEqual(['1:passed', '2:passed', '3:passed', '4:passed', '5:failed']);
  }, 180_000);

  it('a second Ctrl-C exits at once and still removes the running containers', async () => {
    const sweep = path.join(logs, 'serial_twice');
    const run = spawnCli(suiteArgs(logs, ['-s', '1', '-e', '3', '-t', 'twice']), { FH_BLOCK_AT: '1' });
    await waitFor('iteration 1 to block', () => fileContains(path.join(sweep, 'run001', 'run.log'), 'GATE: blocking'));
    let said = '';
    run.stderr!.on('data', (chunk: Buffer) => { said += chunk.toString(); });
    run.kill('SIGINT');
    await waitFor('the first Ctrl-C to be acknowledged', () => said.includes('SIGINT: stopping'));
    run.kill('SIGINT');
    const done = await run;
    expect(done.exitCode).toBe(130);
    expect(done.all).toMatch(/SIGINT again: removing running containers now and exiting/);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);

  it('a hang that ignores SIGTERM is stopped within idle timeout + grace, recorded as A4 with its last words, and the sweep goes on', async () => {
    const sweep = path.join(logs, 'serial_hang');
    const started = Date.now();
    const run = await cli(suiteArgs(logs, ['-s', '1', '-e', '2', '-t', 'hang', '--idle-timeout', '3s', '--grace', '2s']), { env: { FH_BLOCK_AT: '1' } });
    const elapsed = Date.now() - started;
    expect(run.exitCode).toBe(1);
    const hung = await readJson<IterationResult>(path.join(sweep, 'run001', 'result.json'));
    expect(hung.killedBy).toBe('idle');
    expect(hung.classes).toEqual(['A4']);
    expect(hung.failures[0]?.test).toBe('test_known.py::test_gate');
    expect(hung.failures[0]?.message).toMatch(/HANG: no output for 3s.*GATE: blocking iteration 1/);
    // Idle timeout + forensics + grace, with room for a loaded machine.
    expect(hung.durationMs).toBeLessThan(3_000 + 2_000 + 10_000);
    expect(await readFile(path.join(sweep, 'run001', 'forensics.txt'), 'utf8')).toContain('test_gate');
    expect((await readJson<IterationResult>(path.join(sweep, 'run002', 'result.json'))).status).toBe('passed');
    expect(elapsed).toBeLessThan(60_000);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);

  it('the wall-clock --timeout stops an iteration that outlives it, recorded as A4 with killedBy timeout', async () => {
    const sweep = path.join(logs, 'serial_wall');
    const run = await cli(suiteArgs(logs, ['-s', '1', '-e', '1', '-t', 'wall', '--timeout', '4s', '--idle-timeout', '0', '--grace', '1s']), { env: { FH_BLOCK_AT: '1' } });
    expect(run.exitCode).toBe(1);
    const result = await readJson<IterationResult>(path.join(sweep, 'run001', 'result.json'));
    expect(result.killedBy).toBe('timeout');
    expect(result.classes).toEqual(['A4']);
    expect(result.failures[0]?.message).toMatch(/TIMEOUT: the iteration ran longer than 4s \(--timeout\)/);
    expect(result.durationMs).toBeGreaterThanOrEqual(4_000);
    expect(result.durationMs).toBeLessThan(4_000 + 1_000 + 10_000);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 120_000);

  it('a secret in a failure message that only the plugin kept is masked everywhere in the sweep folder', async () => {
    const sweep = path.join(logs, 'serial_leak');
    const run = await cli(suiteArgs(logs, ['-e', '1', '-t', 'leak', '--env-pass', 'FH_SECRET', '--env', 'FH_LEAK=1']), { env: { FH_SECRET: 'hf_supersecret9' } });
    expect(run.exitCode).toBe(1);
    const result = await readJson<IterationResult>(path.join(sweep, 'run001', 'result.json'));
    const leak = result.failures.find((f) => f.test === 'test_known.py::test_leaks_secret');
    expect(leak?.message).toContain('token was [redacted]');
    expect(result.classes).toContain('A4_crash');
    const grep = await execa('grep', ['-r', '-l', 'hf_supersecret9', sweep], { reject: false });
    expect(grep.stdout).toBe('');
    expect(run.all).not.toContain('hf_supersecret9');
  }, 60_000);

  it('a secret that is a parameter of a node id is masked in every file, report and output too', async () => {
    const suite = await tempDir();
    await writeFile(path.join(suite, 'test_param.py'), [
      'import os, pytest',
      "@pytest.mark.parametrize('token', [os.environ['SECRET_TOKEN']])",
      'def test_param(token):',
      "    assert token == 'other', 'token mismatch'",
      '',
    ].join('\n'));
    const stepSummary = path.join(logs, 'param-summary.md');
    const junit = path.join(logs, 'param.xml');
    const run = await cli(['run', '-i', IMAGE, '--mount', `${suite}:/suite:ro`, '--workdir', '/suite', '--pytest-nodeid', 'test_param.py', '--pytest-args', '-p no:cacheprovider',
      '--logs-dir', logs, '-t', 'param', '-e', '1', '--no-progress', '--env', 'SECRET_TOKEN=hunter2-xyz', '--junit', junit, '--annotations', 'github', '--json'], { env: { GITHUB_STEP_SUMMARY: stepSummary } });
    expect(run.exitCode, run.all).toBe(1);
    const sweep = path.join(logs, 'serial_param');
    const result = await readJson<IterationResult>(path.join(sweep, 'run001', 'result.json'));
    expect(result.failures.map((f) => f.test)).toEqual(['test_param.py::test_param[[redacted]]']);
    const report = await cli(['report', sweep]);
    expect(report.exitCode).toBe(0);
    const grep = await execa('grep', ['-r', '-l', 'hunter2-xyz', sweep, junit, stepSummary], { reject: false });
    expect(grep.stdout).toBe('');
    expect(run.all).not.toContain('hunter2-xyz');
    expect((await cli(['report', '--markdown', sweep])).stdout).not.toContain('hunter2-xyz');
    await rm(suite, { recursive: true, force: true });
  }, 60_000);

  it('cannot reach the daemon: exit 3 at once, naming the socket and the fix, and writes nothing', async () => {
    const fresh = await tempDir();
    const run = await cli(suiteArgs(fresh, ['-e', '2']), { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.exitCode).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot reach the Docker daemon at DOCKER_HOST=unix:\/\/\/nonexistent\/docker.sock .*start it/);
    expect(await readdir(fresh)).toEqual([]);
  });

  it('a missing image: exit 3 with how to get it', async () => {
    const fresh = await tempDir();
    const run = await cli(['run', '-i', 'no-such-image:never', '--pytest-nodeid', 'x', '--logs-dir', fresh]);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/image no-such-image:never is not on this Docker host: build or pull it/);
    expect(await readdir(fresh)).toEqual([]);
  });

  it('tests that cannot be collected stop the sweep after the first iteration (exit 2)', async () => {
    const sweep = path.join(logs, 'serial_nope');
    const run = await cli(['run', '-i', IMAGE, '--mount', `${path.join(ROOT, 'test/fixtures/e2e-suite')}:/suite:ro`, '--workdir', '/suite',
      '--pytest-nodeid', 'tests/nope.py', '-e', '50', '-t', 'nope', '--logs-dir', logs, '--no-progress']);
    expect(run.exitCode).toBe(2);
    expect(run.all).toMatch(/pytest could not collect the tests \(exit 4\).*file or directory not found: tests\/nope.py/);
    expect((await results(sweep)).map((r) => r.status)).toEqual(['error']);
  }, 60_000);

  it('losing the daemon mid-sweep: errors are retried, then the sweep stops with exit 3 instead of recording bogus failures', async () => {
    // A proxy in front of the real socket that the test can cut, as a daemon restart would.
    const proxyPath = path.join(os.tmpdir(), `fh-proxy-${process.pid}.sock`);
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect('/var/run/docker.sock');
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => { client.destroy(); upstream.destroy(); };
      client.on('error', drop);
      upstream.on('error', drop);
    });
    await new Promise<void>((resolve) => server.listen(proxyPath, resolve));
    const sweep = path.join(logs, 'serial_lost');
    const run = spawnCli(suiteArgs(logs, ['-s', '1', '-e', '20', '-t', 'lost', '--infra-retries', '1']), { DOCKER_HOST: `unix://${proxyPath}`, FH_BLOCK_AT: '2' });
    await waitFor('iteration 2 to block', () => fileContains(path.join(sweep, 'run002', 'run.log'), 'GATE: blocking'));
    server.close();
    for (const socket of sockets) socket.destroy();
    const done = await run;
    expect(done.exitCode).toBe(3);
    expect(done.all).toMatch(/iterations in a row could not run/);
    const all = await results(sweep);
    expect(all.filter((r) => r.status === 'failed')).toEqual([]);
    expect(all.filter((r) => r.status === 'error').length).toBeGreaterThanOrEqual(3);
    // Leftovers of the cut connection are removed by the next run (the daemon itself never died).
    const cleaned = await cli(['clean', '--sweep', sweep, '--all']);
    expect(cleaned.exitCode).toBe(0);
    expect(await containersUnder(sweep)).toEqual([]);
  }, 180_000);
});

describe('bad input: one clear line, a documented exit code, nothing written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['start after end', ['-s', '5', '-e', '2'], /--start 5 is after --end 2/],
    ['bad parallelism', ['-p', 'fast'], /--parallelism "fast" must be "serial" .* or a positive number/],
    ['tag escaping the logs folder', ['-t', '../../etc'], /tag "..\/..\/etc" is not a safe folder name/],
    ['nodeid that is an option', ['--pytest-nodeid', '--co'], /starts with '-': pass pytest options with --pytest-args/],
    ['unknown flag', ['--jbos', '2'], /unknown option '--jbos'/],
    ["pytest-xdist's -n out of habit", ['-n', '4'], /unknown option '-n': for pytest-xdist's -n N, use -p N \(--parallelism N\)/],
    ["pytest's -k out of habit", ['-k', 'slow'], /unknown option '-k': to pass pytest's own -k, put it in --pytest-args \(e\.g\. --pytest-args '-k <value>'\)/],
    ['bad duration', ['--timeout', '10'], /--timeout "10" is not a duration: write it like 90s/],
    ['shell syntax in --command', ['--command', 'pytest | tee x'], /contains shell syntax/],
  ];
  for (const [name, extra, message] of cases) {
    it(name, async () => {
      const fresh = await tempDir();
      const run = await cli(['run', '-i', IMAGE, '--pytest-nodeid', 'tests', '--logs-dir', fresh, ...extra]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(await readdir(fresh)).toEqual([]);
    });
  }

  it('a missing image flag', async () => {
    const run = await cli(['run', '--pytest-nodeid', 'tests']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--image is required with the docker executor/);
  });
});
