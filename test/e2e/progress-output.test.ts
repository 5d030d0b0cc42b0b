import { rm } from 'node:fs/promises';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, cli, requireDocker, ROOT, suiteArgs, tempDir } from './helpers.js';

const hasDocker = await requireDocker();

/** Runs the CLI on a real pseudo-terminal (util-linux `script`), returning everything it drew. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = ['node', BIN, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const run = await execa('script', ['-qec', command, '/dev/null'], { reject: false, cwd: ROOT, env: { ...env, TERM: 'xterm' }, stdin: 'ignore' });
  return run.stdout;
}

describe.runIf(hasDocker)('progress while a sweep runs', () => {
  let logs: string;
  beforeAll(async () => { logs = await tempDir(); });
  afterAll(async () => { await rm(logs, { recursive: true, force: true }); });

  it('off a terminal: plain timestamped lines, one per finished iteration, no escape sequences', async () => {
    const run = await cli(suiteArgs(logs, ['-e', '5', '-t', 'plain']).filter((a) => a !== '--no-progress'));
    const lines = run.stderr.split('\n');
    expect(run.stderr).not.toContain('\x1b');
    for (let i = 1; i <= 5; i += 1) {
      const line = lines.find((l) => l.includes(`run00${i} `));
      expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d run00${i} (PASSED|FAILED)`));
    }
    expect(lines.find((l) => l.includes('run005 '))).toMatch(/FAILED A1 — test_known.py::test_router_decisions: AssertionError: Expected exactly 1/);
    expect(lines.find((l) => l.includes('run005 '))).toMatch(/\[5\/5, 4 passed, 1 failed \(A1:1\), ETA done\]/);
  }, 120_000);

  it('on a terminal: a redrawn progress bar with counts and ETA, and colours', async () => {
    const screen = await onTerminal(suiteArgs(logs, ['-e', '3', '-t', 'tty']).filter((a) => a !== '--no-progress'));
    expect(screen).toMatch(/\x1b\[1G/);
    expect(screen).toMatch(/ 3\/3 \| running 0 \| 3 passed, 0 failed \| ETA done/);
    expect(screen).toContain('\x1b[32mPASSED\x1b[39m');
    expect(screen).toContain('Iterations: 3 finished');
  }, 120_000);

  it('NO_COLOR and --no-color turn colours off on a terminal, and keep the bar', async () => {
    for (const [args, env] of [[['--no-color'], {}], [[], { NO_COLOR: '1' }]] as const) {
      const screen = await onTerminal([...args, ...suiteArgs(logs, ['-e', '2', '-t', 'nocolor', '--force']).filter((a) => a !== '--no-progress')], env);
      expect(screen).toMatch(/ 2\/2 \| running 0/);
      expect(screen).not.toMatch(/\x1b\[3\dm/);
    }
  }, 120_000);

  it('--json prints the final summary as JSON on stdout', async () => {
    const run = await cli(suiteArgs(logs, ['-e', '5', '-t', 'plain', '--json']));
    const parsed = JSON.parse(run.stdout) as { exitCode: number; summary: { failed: number; passed: number; failure: { count: number; total: number } } };
    expect(parsed.exitCode).toBe(1);
    expect(parsed.summary.failure).toMatchObject({ count: 1, total: 5 });
  }, 60_000);
});
