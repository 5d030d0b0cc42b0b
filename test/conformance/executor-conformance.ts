/**
 * Conformance kit for {@link Executor} back ends.
 *
 * A back end wires itself into the test suite with one call:
 *
 * ```ts
 * describeExecutorConformance('docker', {
 *   makeExecutor: () => new DockerExecutor(),
 *   image: 'flakehunt-pytest:bookworm',
 *   programsDir: '/programs',
 *   mounts: [{ host: PROGRAMS_ON_HOST, container: '/programs', readOnly: true }],
 * });
 * ```
 *
 * The kit takes a factory rather than an executor so that every check gets a pristine instance
 * (and so one check can call reap() on an executor that never started anything, as the sweep runner
 * does before its first iteration).
 *
 * Every check awaits a condition (a "ready" line, an exit, a process group that is gone) with a
 * deadline; none sleeps for a fixed time. Every iteration a check starts is cleaned up afterwards,
 * and every check uses a sweep id of its own, so leftovers are attributable.
 *
 * Checks that fail because of a known bug in src/ are listed in KNOWN_BUGS and registered with
 * `it.fails`: they pass while the bug is there and start failing (as a reminder to drop the entry)
 * once it is fixed. FLAKEHUNT_CONFORMANCE_SHOW_BUGS=1 registers them as plain checks, to see how
 * they fail.
 *
 * The fixture programs (test/fixtures/programs) are python3 scripts and one /bin/sh script: they run
 * in the image and on the host alike. Those a check signals print "ready" first; the check reads
 * the output until that line appears before it signals.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants as fsConstants, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import Docker from 'dockerode';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { EnvironmentError, UsageError } from '../../src/core/errors.js';
import { DockerExecutor } from '../../src/executors/docker/docker-executor.js';
import type { Executor, ExitInfo, IterationSpec, MountSpec, RunningIteration } from '../../src/executors/executor.js';
import { iterationLabels, SWEEP_LABEL } from '../../src/executors/labels.js';
import { readRegistry, registryDir, type LocalEntry } from '../../src/executors/local/local-registry.js';
import { currentProcess, type ProcessIdentity } from '../../src/store/process-identity.js';

export interface ExecutorConformanceOptions {
  /** A fresh executor; called once per check (and once at registration, to learn its kind). */
  makeExecutor: () => Executor;
  /** The image iterations run in: null for the local executor. */
  image: string | null;
  /** Where the fixture programs are, as the executor sees them: a container path for docker (mounted), a host path for local. */
  programsDir: string;
  /** Mounts every iteration gets (for docker: the fixture programs). */
  mounts: MountSpec[];
  /**
   * For back ends whose runs the kit cannot see on this host's daemon (swarm: they run on other
   * nodes): whether an iteration still runs, and what a sweep left behind anywhere. Removal may
   * finish on a node shortly after cleanup() returns: leftovers are awaited up to settleMs.
   */
  inspect?: {
    stillRunning(running: RunningIteration): Promise<boolean>;
    leftovers(sweepId: string): Promise<string[]>;
    settleMs: number;
  };
}

/** The fixture programs, on this host. */
export const PROGRAMS_ON_HOST = fileURLToPath(new URL('../fixtures/programs', import.meta.url));
const FORENSICS_SCRIPT = fileURLToPath(new URL('../../templates/pytest-plugin/flakehunt_forensics.py', import.meta.url));
const ARTIFACTS_DIR = '/flakehunt/artifacts';

/** Checks a back end cannot pass by its nature, with why: registered as skipped, the reason in their names. */
type LimitId = 'forensics-lists-processes';
const CANNOT: Record<Executor['kind'], Partial<Record<LimitId, string>>> = {
  docker: {},
  local: {},
  swarm: {
    'forensics-lists-processes': 'a swarm task cannot be exec\'d into through the manager: forensics() says where the task runs and how to look',
  },
};

/** Checks that fail because of a bug in src/ (see the comment at each id, and the check itself). */
type BugId = 'signal-death-has-no-exit-code' | 'cleanup-hangs-on-unread-output' | 'unreachable-message-names-wrong-socket';
// Empty now: the bugs these ids named (signal deaths without an exit code, cleanup() hanging on
// unread output, the unreachable-daemon message naming the wrong socket) are fixed in src/.
const KNOWN_BUGS: Record<Executor['kind'], ReadonlySet<BugId>> = {
  swarm: new Set<BugId>(),
  docker: new Set<BugId>(),
  local: new Set<BugId>(),
};

// ---------------------------------------------------------------------------------------------
// Small helpers: deadlines, polling, reading output.
// ---------------------------------------------------------------------------------------------

/** Resolves with `promise`, or rejects with a message naming `what` once `ms` have passed. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` (every 50 ms) until it holds; rejects after `ms` with `what` in the message. */
export async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`${what}: still not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads a RunningIteration's output as it arrives, so a check can await a line in it. */
class OutputReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly listeners = new Set<() => void>();
  readonly errors: Error[] = [];
  /** Resolves when the output has ended (or closed, or failed). */
  readonly ended: Promise<void>;

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.size += chunk.length;
      this.notify();
    });
    this.ended = new Promise((resolve) => {
      const finish = () => {
        this.done = true;
        this.notify();
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.once('error', (error: Error) => {
        this.errors.push(error);
        finish();
      });
    });
  }

  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks, this.size));
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  /** Resolves once the output contains `pattern`; rejects if it ends without it or the deadline passes. */
  waitFor(pattern: RegExp, ms: number): Promise<void> {
    const found = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.text)) {
          this.listeners.delete(check);
          resolve();
        } else if (this.done) {
          this.listeners.delete(check);
          reject(new Error(`output ended without ${pattern}; it was: ${JSON.stringify(this.text.slice(-2000))}`));
        }
      };
      this.listeners.add(check);
      check();
    });
    return within(ms, found, `waiting for ${pattern} in the output (so far: ${JSON.stringify(this.text.slice(-500))})`);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The process group id of a local iteration: its id is "pid N", and the group leader's pid is the pgid. */
function pgidOf(running: RunningIteration): number {
  const m = /^pid (\d+)$/.exec(running.id);
  if (!m) throw new Error(`a local iteration's id should be "pid N", not ${JSON.stringify(running.id)}`);
  return Number(m[1]);
}

/** Whether any process of the group is left (zombies count until they are reaped). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, 'ESRCH');
  }
}

/** A pid that surely names no process: a child of ours, SIGKILLed and reaped. */
async function deadPid(): Promise<number> {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn sleep to get a dead pid');
  child.kill('SIGKILL');
  await exited;
  await until(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return isErrno(error, 'ESRCH');
    }
  }, 5_000, `pid ${pid} to be gone`);
  return pid;
}

/** All files and folders under root, as sorted relative paths. */
async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map((e) => e.split(path.sep).join('/')).sort();
}

/** What `os.abort()` may be reported as: 128 + SIGABRT, or 128 + SIGSEGV when a PID 1 cannot die by SIGABRT. */
const ABORT_CODES_WITH_INIT = [134];
const ABORT_CODES_WITHOUT_INIT = [134, 139];

// ---------------------------------------------------------------------------------------------
// The kit.
// ---------------------------------------------------------------------------------------------

export function describeExecutorConformance(name: string, options: ExecutorConformanceOptions): void {
  const kind = options.makeExecutor().kind;
  const known = KNOWN_BUGS[kind];
  // FLAKEHUNT_CONFORMANCE_SHOW_BUGS=1 runs the known-bug checks as plain checks, to see how they fail.
  const showBugs = process.env.FLAKEHUNT_CONFORMANCE_SHOW_BUGS === '1';
  /** `it`, or `it.fails` when the check is known to fail because of the bug `bug` in src/. */
  const check = (bug: BugId | null) => (bug !== null && known.has(bug) && !showBugs ? it.fails : it);
  /** A check, or a skipped one named with the reason when this back end cannot do what it checks. */
  const unless = (limit: LimitId, title: string, body: () => Promise<void>, timeout: number) => {
    const reason = CANNOT[kind][limit];
    if (reason === undefined) it(title, body, timeout);
    else it.skip(`${title} — cannot: ${reason}`, body, timeout);
  };
  const program = (file: string) => path.posix.join(options.programsDir, file);
  const docker = new Docker();

  describe(`executor conformance: ${name} (${kind})`, () => {
    let executor: Executor;
    let sweepId: string;
    let scratch: string;
    let nextIteration = 1;
    let started: RunningIteration[] = [];
    /** The sandbox folder of each local iteration, read from the registry right after start. */
    const sandboxes = new Map<RunningIteration, string>();
    const sweepsUsed: string[] = [];
    const measurements: string[] = [];

    beforeEach(async () => {
      executor = options.makeExecutor();
      sweepId = `conf-${randomBytes(4).toString('hex')}`;
      sweepsUsed.push(sweepId);
      scratch = await mkdtemp(path.join(os.tmpdir(), `flakehunt-${sweepId}-`));
      nextIteration = 1;
      started = [];
      sandboxes.clear();
    });

    afterEach(async () => {
      const problems: string[] = [];
      for (const running of started) {
        // Drain whatever nobody read, so a backed-up stream cannot wedge the cleanup.
        running.output.resume();
        await within(60_000, running.cleanup(), `cleanup of ${running.id}`).catch((error: Error) => problems.push(error.message));
      }
      // The backstop: whatever the checks left behind goes, owner alive or not.
      await within(60_000, options.makeExecutor().reap({ sweepId, includeLiveOwners: true }), `reap of ${sweepId}`).catch((error: Error) =>
        problems.push(error.message),
      );
      await rm(scratch, { recursive: true, force: true });
      if (problems.length > 0) throw new Error(`afterEach could not clean up: ${problems.join('; ')}`);
    });

    afterAll(async () => {
      if (measurements.length > 0) console.info(`[${name}] measurements:\n  ${measurements.join('\n  ')}`);
      // Nothing of any sweep used here may remain.
      for (const id of sweepsUsed) await expectNoLeftovers(id);
    });

    /** The spec of an iteration of the current sweep, built as src/sweep/iteration-spec.ts builds real ones. */
    function spec(argv: string[], overrides: Partial<IterationSpec> & { owner?: ProcessIdentity } = {}): IterationSpec {
      const { owner = currentProcess(), ...rest } = overrides;
      const iteration = nextIteration++;
      return {
        name: `flakehunt-${sweepId}-${String(iteration).padStart(4, '0')}-${randomBytes(3).toString('hex')}`,
        sweepId,
        iteration,
        image: options.image,
        argv,
        env: {
          FLAKEHUNT_ITERATION: String(iteration),
          FLAKEHUNT_SWEEP: sweepId,
          FLAKEHUNT_ARTIFACTS: ARTIFACTS_DIR,
        },
        envPass: [],
        workdir: null,
        mounts: options.mounts,
        artifactsDir: ARTIFACTS_DIR,
        inject: { '/flakehunt/plugin/flakehunt_forensics.py': FORENSICS_SCRIPT },
        labels: iterationLabels(sweepId, iteration, path.join(scratch, 'sweep'), owner),
        resources: { init: true, network: null, shmSize: null, ulimits: [], gpus: null, cpus: null, memory: null },
        ...rest,
      };
    }

    /** Starts an iteration and remembers it for afterEach, without reading its output. */
    async function startUnread(s: IterationSpec): Promise<RunningIteration> {
      const running = await within(60_000, executor.start(s), `start of ${s.name}`);
      started.push(running);
      if (kind === 'local') {
        const entry = (await readRegistry()).find((e) => e.pgid === pgidOf(running));
        if (entry === undefined) throw new Error(`no registry entry for ${running.id} in ${registryDir()}`);
        sandboxes.set(running, entry.sandbox);
      }
      return running;
    }

    /** Starts an iteration, remembers it for afterEach, and starts reading its output. */
    async function start(s: IterationSpec): Promise<{ running: RunningIteration; out: OutputReader }> {
      const running = await startUnread(s);
      return { running, out: new OutputReader(running.output) };
    }

    /** Awaits the end of a run: `exited` resolves, and the output ends, without errors. */
    async function finish(running: RunningIteration, out: OutputReader, ms = 60_000): Promise<ExitInfo> {
      const exit = await within(ms, running.exited, `${running.id} exited`);
      await within(ms, out.ended, `${running.id} output ended`);
      expect(out.errors.map((e) => e.message)).toEqual([]);
      return exit;
    }

    /** Whether any process of the iteration still runs. */
    async function stillRunning(running: RunningIteration): Promise<boolean> {
      if (options.inspect !== undefined) return options.inspect.stillRunning(running);
      if (kind === 'local') return groupAlive(pgidOf(running));
      try {
        const info = await docker.getContainer(running.id).inspect();
        return info.State.Running;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw error;
      }
    }

    /** What an iteration of the sweep left behind: containers, or registry entries, sandboxes and process groups. */
    async function leftovers(id: string): Promise<string[]> {
      if (options.inspect !== undefined) return options.inspect.leftovers(id);
      if (kind === 'docker') {
        const containers = await docker.listContainers({ all: true, filters: { label: [`${SWEEP_LABEL}=${id}`] } });
        return containers.map((c) => `container ${c.Id.slice(0, 12)} (${c.State}) ${c.Names.join(',')}`);
      }
      const found: string[] = [];
      const entries: LocalEntry[] = (await readRegistry()).filter((e) => e.sweepId === id);
      for (const entry of entries) found.push(`registry entry ${entry.pgid} (${entry.sandbox})`);
      if (id === sweepId) {
        for (const [running, sandbox] of sandboxes) {
          if (await exists(sandbox)) found.push(`sandbox ${sandbox}`);
          if (groupAlive(pgidOf(running))) found.push(`process group ${pgidOf(running)}`);
        }
      }
      return found;
    }

    /** Nothing of the sweep is left (awaited up to settleMs, for removals a node finishes on its own). */
    async function expectNoLeftovers(id: string): Promise<void> {
      const settleMs = options.inspect?.settleMs ?? 0;
      const end = Date.now() + settleMs;
      let left = await leftovers(id);
      while (left.length > 0 && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = await leftovers(id);
      }
      expect(left).toEqual([]);
    }

    // -----------------------------------------------------------------------------------------
    // Output and exit codes
    // -----------------------------------------------------------------------------------------

    it('streams stdout and stderr interleaved in the order written, and ends the output when the run exits', async () => {
      // A short pause between writes: Docker copies stdout and stderr through separate pipes, so back-to-back
      // writes to the two may swap places on their way to the attach stream (see the report).
      const { running, out } = await start(spec(['python3', program('interleave.py'), '20', '0.05']));
      const exit = await finish(running, out);
      const expected = Array.from({ length: 20 }, (_, i) => `${i % 2 === 0 ? 'out' : 'err'} ${i}\n`).join('');
      expect(out.text).toBe(expected);
      expect(exit.exitCode).toBe(0);
    }, 90_000);

    it('reports exit code 0', async () => {
      const { running, out } = await start(spec(['python3', program('exit_code.py'), '0']));
      const exit = await finish(running, out);
      expect(exit).toEqual({ exitCode: 0, signal: null });
      expect(out.text).toBe('exiting with 0\n');
    }, 90_000);

    it('reports a non-zero exit code (3)', async () => {
      const { running, out } = await start(spec(['python3', program('exit_code.py'), '3']));
      const exit = await finish(running, out);
      expect(exit).toEqual({ exitCode: 3, signal: null });
      expect(out.text).toBe('exiting with 3\n');
    }, 90_000);

    it('passes argv as is, never through a shell', async () => {
      const odd = ['a b', '$HOME', "it's", '*', '; exit 7'];
      const { running, out } = await start(spec(['python3', '-c', 'import sys; print("|".join(sys.argv[1:]))', ...odd]));
      const exit = await finish(running, out);
      expect(exit.exitCode).toBe(0);
      expect(out.text).toBe(`${odd.join('|')}\n`);
    }, 90_000);

    // -----------------------------------------------------------------------------------------
    // prepare(): set up now, run later
    // -----------------------------------------------------------------------------------------

    it('prepare() runs nothing until start(); start() then runs it as start(spec) does, once', async () => {
      const prepared = await within(60_000, executor.prepare(spec(['python3', program('exit_code.py'), '3'])), 'prepare()');
      try {
        // Docker: a created container that never started; local: nothing at all yet.
        const states = (await leftovers(sweepId)).map((line) => /\((\w+)\)/.exec(line)?.[1]);
        expect(states).toEqual(kind === 'docker' ? ['created'] : []);
        const running = await within(60_000, prepared.start(), 'start() of the prepared iteration');
        started.push(running);
        const out = new OutputReader(running.output);
        expect(await finish(running, out)).toEqual({ exitCode: 3, signal: null });
        expect(out.text).toBe('exiting with 3\n');
        await expect(prepared.start()).rejects.toThrow(/already started/);
        // Discarding after the start leaves the run alone.
        await prepared.discard();
        expect((await within(30_000, running.exited, 'exited')).exitCode).toBe(3);
      } finally {
        await prepared.discard();
      }
    }, 90_000);

    it('discard() removes a prepared iteration that never ran, is idempotent, and start() refuses afterwards', async () => {
      const prepared = await within(60_000, executor.prepare(spec(['python3', program('exit_code.py'), '0'])), 'prepare()');
      await within(30_000, Promise.all([prepared.discard(), prepared.discard()]), 'two concurrent discard()s');
      await within(30_000, prepared.discard(), 'a third discard()');
      await expectNoLeftovers(sweepId);
      await expect(prepared.start()).rejects.toThrow(/already discarded/);
    }, 90_000);

    // -----------------------------------------------------------------------------------------
    // Environment
    // -----------------------------------------------------------------------------------------

    it('sets spec.env in the process and passes envPass variables with their host values', async () => {
      const passed = `FLAKEHUNT_CONF_PASS_${randomBytes(3).toString('hex').toUpperCase()}`;
      const unsetPassed = `${passed}_UNSET`;
      const hostValue = `from the host ${randomBytes(4).toString('hex')} $HOME "quoted"`;
      const s = spec(['python3', program('print_env.py'), 'FLAKEHUNT_ITERATION', 'FLAKEHUNT_SWEEP', 'FLAKEHUNT_ARTIFACTS', 'CONF_ODD', passed, unsetPassed]);
      s.env.CONF_ODD = 'a b;c=$d';
      s.envPass = [passed, unsetPassed];
      process.env[passed] = hostValue;
      delete process.env[unsetPassed];
      let running: RunningIteration;
      let out: OutputReader;
      try {
        ({ running, out } = await start(s));
      } finally {
        // Read at start and never kept: the host may change it afterwards.
        delete process.env[passed];
      }
      const exit = await finish(running, out);
      expect(exit.exitCode).toBe(0);
      const vars = Object.fromEntries(out.text.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      expect(vars.FLAKEHUNT_ITERATION).toBe(String(s.iteration));
      expect(vars.FLAKEHUNT_SWEEP).toBe(sweepId);
      // Docker: the container path; local: the same path inside the iteration's sandbox.
      if (kind !== 'local') expect(vars.FLAKEHUNT_ARTIFACTS).toBe(ARTIFACTS_DIR);
      else expect(vars.FLAKEHUNT_ARTIFACTS).toBe(`${sandboxes.get(running)}${ARTIFACTS_DIR}`);
      expect(vars.CONF_ODD).toBe('a b;c=$d');
      expect(vars[passed]).toBe(hostValue);
      expect(vars[unsetPassed]).toBe('<unset>');
    }, 90_000);

    // -----------------------------------------------------------------------------------------
    // Artifacts
    // -----------------------------------------------------------------------------------------

    it('collects the artifacts folder (with subfolders) into a new dest dir, same contents, readable by us', async () => {
      const { running, out } = await start(spec(['python3', program('write_artifacts.py')]));
      const exit = await finish(running, out);
      expect(exit.exitCode).toBe(0);
      const dest = path.join(scratch, 'collected', 'not', 'yet', 'there');
      await within(60_000, running.collectArtifacts(dest), 'collectArtifacts');
      const expected: Record<string, Buffer> = {
        'top.txt': Buffer.from('top level artifact\n'),
        'sub/nested.txt': Buffer.from('nested artifact\n'),
        'sub/deeper/bytes.bin': Buffer.concat(Array.from({ length: 64 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i)))),
        'private.txt': Buffer.from('private artifact\n'),
      };
      expect(await listTree(dest)).toEqual(['private.txt', 'sub', 'sub/deeper', 'sub/deeper/bytes.bin', 'sub/nested.txt', 'top.txt']);
      for (const [file, content] of Object.entries(expected)) {
        const full = path.join(dest, file);
        expect((await readFile(full)).equals(content), `${file} has the contents written`).toBe(true);
        const st = await stat(full);
        // Owned by whoever runs flakehunt (never by a container uid), and readable by them even when written 0600.
        expect(st.uid, `${file} owner`).toBe(process.getuid!());
        expect(st.mode & 0o400, `${file} mode ${st.mode.toString(8)}`).not.toBe(0);
        await access(full, fsConstants.R_OK);
      }
      // More than once: the same dest again is fine, and the contents stay the same.
      await within(60_000, running.collectArtifacts(dest), 'second collectArtifacts');
      expect((await readFile(path.join(dest, 'sub/nested.txt'))).toString()).toBe('nested artifact\n');
    }, 90_000);

    // -----------------------------------------------------------------------------------------
    // stop()
    // -----------------------------------------------------------------------------------------

    it('stop() kills a process that ignores SIGTERM within graceMs + a few seconds, and `exited` resolves', async () => {
      const graceMs = 2_000;
      const { running, out } = await start(spec(['python3', program('ignore_sigterm.py')]));
      await out.waitFor(/^ready$/m, 60_000);
      const t0 = performance.now();
      await within(graceMs + 30_000, running.stop(graceMs), 'stop()');
      const elapsed = performance.now() - t0;
      measurements.push(`ignores SIGTERM, graceMs ${graceMs}: stop() took ${Math.round(elapsed)} ms`);
      const exit = await finish(running, out, 5_000);
      // It ignored SIGTERM, so only the SIGKILL after the grace period ended it.
      expect(elapsed).toBeGreaterThanOrEqual(graceMs - 100);
      expect(elapsed).toBeLessThan(graceMs + 5_000);
      expect(exit.exitCode === 137 || exit.signal === 'SIGKILL', `killed by SIGKILL: ${JSON.stringify(exit)}`).toBe(true);
      expect(await stillRunning(running)).toBe(false);
      // Safe after stop: cleanup, twice, and stop again.
      await within(30_000, Promise.all([running.cleanup(), running.cleanup()]), 'cleanup after stop');
      await within(30_000, running.stop(graceMs), 'stop after cleanup');
    }, 90_000);

    it('stop() lets a process that handles SIGTERM exit promptly, before the grace period ends', async () => {
      const graceMs = 10_000;
      const { running, out } = await start(spec(['python3', program('handle_sigterm.py')]));
      await out.waitFor(/^ready$/m, 60_000);
      const t0 = performance.now();
      await within(graceMs + 30_000, running.stop(graceMs), 'stop()');
      const elapsed = performance.now() - t0;
      measurements.push(`handles SIGTERM, graceMs ${graceMs}: stop() took ${Math.round(elapsed)} ms`);
      const exit = await finish(running, out, 5_000);
      expect(elapsed).toBeLessThan(graceMs);
      expect(exit).toEqual({ exitCode: 0, signal: null });
      expect(out.text).toContain('got SIGTERM, exiting\n');
    }, 90_000);

    it('stop() is safe more than once, concurrently, and after the process exited on its own', async () => {
      const { running, out } = await start(spec(['python3', program('handle_sigterm.py')]));
      await out.waitFor(/^ready$/m, 60_000);
      await within(30_000, Promise.all([running.stop(5_000), running.stop(5_000)]), 'two concurrent stop()s');
      await within(30_000, running.stop(5_000), 'a third stop()');
      const exited = await start(spec(['python3', program('exit_code.py'), '0']));
      await finish(exited.running, exited.out);
      const t0 = performance.now();
      await within(30_000, exited.running.stop(5_000), 'stop() after exit');
      // Nothing to wait for: it must not sit out the grace period.
      expect(performance.now() - t0).toBeLessThan(5_000);
    }, 90_000);

    it('stop() ends the whole iteration: grandchildren are gone within a deadline', async () => {
      const { running, out } = await start(spec(['/bin/sh', program('spawn_children.sh')]));
      await out.waitFor(/^ready$/m, 60_000);
      await until(async () => (kind === 'local' ? countGroup(pgidOf(running)) >= 3 : true), 10_000, 'the grandchildren to start');
      const t0 = performance.now();
      await within(30_000, running.stop(2_000), 'stop()');
      const stopped = performance.now() - t0;
      await finish(running, out, 5_000);
      // Local: orphaned grandchildren count (as zombies) until the host's init reaps them.
      await until(async () => !(await stillRunning(running)), 5_000, `no process of ${running.id} to remain`);
      measurements.push(
        `sh + 2 grandchildren, graceMs 2000: stop() took ${Math.round(stopped)} ms, no process left after ${Math.round(performance.now() - t0)} ms`,
      );
    }, 90_000);

    it('whatever the command left running dies with it when it exits on its own', async () => {
      const { running, out } = await start(spec(['/bin/sh', program('spawn_children.sh'), 'leave']));
      const exit = await finish(running, out);
      expect(exit.exitCode).toBe(0);
      expect(out.text).toBe('ready\n');
      await until(async () => !(await stillRunning(running)), 5_000, `no process of ${running.id} to remain`);
    }, 90_000);

    // -----------------------------------------------------------------------------------------
    // forensics()
    // -----------------------------------------------------------------------------------------

    unless('forensics-lists-processes', 'forensics() of a running process lists the running command', async () => {
      const { running, out } = await start(spec(['python3', program('handle_sigterm.py')]));
      await out.waitFor(/^ready$/m, 60_000);
      const text = await within(60_000, running.forensics(), 'forensics()');
      expect(text).toContain('handle_sigterm.py');
      // Looking must not disturb it.
      expect(await stillRunning(running)).toBe(true);
      await within(30_000, running.stop(5_000), 'stop()');
      // And after the exit it still answers (with whatever it can), without throwing.
      expect(typeof (await within(60_000, running.forensics(), 'forensics() after exit'))).toBe('string');
    }, 120_000);

    // -----------------------------------------------------------------------------------------
    // cleanup() and leftovers
    // -----------------------------------------------------------------------------------------

    it('cleanup() is idempotent (concurrently and sequentially) and safe right after start, before any output was read', async () => {
      const running = await startUnread(spec(['python3', program('handle_sigterm.py')]));
      await within(30_000, Promise.all([running.cleanup(), running.cleanup()]), 'two concurrent cleanup()s');
      await within(30_000, running.cleanup(), 'a third cleanup()');
      await within(30_000, running.exited, 'exited after cleanup');
      expect(await stillRunning(running)).toBe(false);
      // The output ends (once someone reads it), without an error.
      const out = new OutputReader(running.output);
      await within(10_000, out.ended, 'output ended after cleanup');
      expect(out.errors.map((e) => e.message)).toEqual([]);
    }, 90_000);

    check('cleanup-hangs-on-unread-output')(
      'cleanup() is safe while the output is backed up because nobody read it',
      async () => {
        const running = await startUnread(spec(['python3', program('endless_no_newline.py'), '120']));
        // Await (without reading) until the executor's output buffer is full: the command is blocked writing.
        await until(() => running.output.readableLength >= running.output.readableHighWaterMark, 60_000, 'the unread output to fill up');
        try {
          await within(20_000, Promise.all([running.cleanup(), running.cleanup()]), 'cleanup() with unread output');
          await within(10_000, running.exited, 'exited after cleanup');
          expect(await stillRunning(running)).toBe(false);
        } finally {
          // Unwedge whatever hung, so the next checks start clean.
          running.output.resume();
          await within(60_000, running.cleanup(), 'cleanup once the output is drained').catch(() => undefined);
        }
      },
      120_000,
    );

    it('leaves nothing behind after cleanup (no container / no registry entry, sandbox or process group)', async () => {
      const quiet = await start(spec(['python3', program('handle_sigterm.py')]));
      const done = await start(spec(['python3', program('write_artifacts.py')]));
      await quiet.out.waitFor(/^ready$/m, 60_000);
      await finish(done.running, done.out);
      expect((await leftovers(sweepId)).length, 'while they exist').toBeGreaterThan(0);
      await within(30_000, quiet.running.cleanup(), 'cleanup of the running one');
      await within(30_000, done.running.cleanup(), 'cleanup of the finished one');
      await expectNoLeftovers(sweepId);
      if (kind === 'local') {
        expect(await exists(path.join(registryDir(), `${pgidOf(quiet.running)}.json`))).toBe(false);
      }
    }, 90_000);

    // -----------------------------------------------------------------------------------------
    // Endless output, crashes
    // -----------------------------------------------------------------------------------------

    it('endless output with no newline: the consumer reads it all, memory stays bounded, `exited` resolves', async () => {
      const seconds = 2;
      globalThis.gc?.();
      const baseline = process.memoryUsage.rss();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 25);
      try {
        const running = await startUnread(spec(['python3', program('endless_no_newline.py'), String(seconds)]));
        let received = 0;
        let firstNewline = -1;
        let tail = Buffer.alloc(0);
        const consumed = (async () => {
          for await (const chunk of running.output as AsyncIterable<Buffer>) {
            const nl = chunk.indexOf(0x0a);
            if (firstNewline < 0 && nl >= 0) firstNewline = received + nl;
            received += chunk.length;
            tail = Buffer.concat([tail, chunk]).subarray(-128);
            peak = Math.max(peak, process.memoryUsage.rss());
          }
        })();
        await within(90_000, consumed, 'reading the endless output to its end');
        const exit = await within(30_000, running.exited, 'exited');
        expect(exit.exitCode).toBe(0);
        const m = /\nEND (\d+)\n$/.exec(tail.toString('latin1'));
        expect(m, `the output ends with "END <bytes>": ${JSON.stringify(tail.toString('latin1').slice(-40))}`).not.toBeNull();
        const written = Number(m![1]);
        // All of it arrived, and the body had no newline.
        expect(received).toBe(written + m![0].length);
        expect(firstNewline).toBe(written);
        expect(written).toBeGreaterThan(1 << 20);
        const growthMb = (peak - baseline) / (1 << 20);
        measurements.push(`endless output: ${(written / (1 << 20)).toFixed(0)} MiB in ${seconds} s, rss growth ${growthMb.toFixed(0)} MiB`);
        expect(growthMb).toBeLessThan(200);
      } finally {
        clearInterval(sampler);
      }
    }, 120_000);

    check('signal-death-has-no-exit-code')(
      'a process calling os.abort() reports a non-zero exit code (134 with init)',
      async () => {
        const { running, out } = await start(spec(['python3', program('abort.py')]));
        const exit = await finish(running, out);
        expect(out.text).toContain('ready\n');
        expect(exit.exitCode, JSON.stringify(exit)).toBeTypeOf('number');
        expect(exit.exitCode).not.toBe(0);
        expect(ABORT_CODES_WITH_INIT).toContain(exit.exitCode);
      },
      90_000,
    );

    if (kind !== 'local') {
      it('a process calling os.abort() as PID 1 (no init) reports 134 or 139', async () => {
        const s = spec(['python3', program('abort.py')]);
        s.resources = { ...s.resources, init: false };
        const { running, out } = await start(s);
        const exit = await finish(running, out);
        expect(ABORT_CODES_WITHOUT_INIT).toContain(exit.exitCode);
      }, 90_000);
    }

    // -----------------------------------------------------------------------------------------
    // reap()
    // -----------------------------------------------------------------------------------------

    it('a pristine executor reaps nothing of an unknown sweep, and throws nothing', async () => {
      const fresh = options.makeExecutor();
      expect(await within(30_000, fresh.reap({ sweepId, includeLiveOwners: false }), 'reap')).toEqual([]);
      expect(await within(30_000, fresh.reap({ sweepId, includeLiveOwners: true }), 'reap --all')).toEqual([]);
    }, 60_000);

    it('reap() removes the iterations of a dead owner, and a live owner\'s only with includeLiveOwners', async () => {
      const dead = await deadPid();
      const deadOwner: ProcessIdentity = { host: os.hostname(), pid: dead, startTime: null };
      // Docker: the owner is in the container's labels. Local: in the registry entry, rewritten below.
      const orphan = await start(spec(['python3', program('handle_sigterm.py')], { owner: deadOwner }));
      const owned = await start(spec(['python3', program('handle_sigterm.py')]));
      await orphan.out.waitFor(/^ready$/m, 60_000);
      await owned.out.waitFor(/^ready$/m, 60_000);
      if (kind === 'local') {
        const file = path.join(registryDir(), `${pgidOf(orphan.running)}.json`);
        const entry = JSON.parse(await readFile(file, 'utf8')) as LocalEntry;
        await writeFile(file, JSON.stringify({ ...entry, owner: deadOwner }));
      }
      /** Reaped ids name the iteration: its id (docker), or the same number (local says "pgid N" for "pid N"). */
      const names = (reaped: string, running: RunningIteration) => reaped === running.id || reaped.replace(/^\D+/, '') === running.id.replace(/^\D+/, '');

      const first = await within(60_000, executor.reap({ sweepId, includeLiveOwners: false }), 'reap of dead owners');
      expect(first, `reaped ${JSON.stringify(first)}`).toHaveLength(1);
      expect(names(first[0]!, orphan.running), `${first[0]} names ${orphan.running.id}`).toBe(true);
      await until(async () => !(await stillRunning(orphan.running)), 10_000, `the reaped ${orphan.running.id} to be gone`);
      await within(30_000, orphan.running.exited, 'exited of the reaped iteration');
      expect(await stillRunning(owned.running), 'the live owner\'s iteration runs on').toBe(true);

      expect(await within(60_000, executor.reap({ sweepId, includeLiveOwners: false }), 'second reap')).toEqual([]);
      expect(await stillRunning(owned.running)).toBe(true);

      // Another sweep's reap never touches this one.
      expect(await within(60_000, executor.reap({ sweepId: `${sweepId}-other`, includeLiveOwners: true }), 'reap of another sweep')).toEqual([]);
      expect(await stillRunning(owned.running)).toBe(true);

      const all = await within(60_000, executor.reap({ sweepId, includeLiveOwners: true }), 'reap including live owners');
      expect(all).toHaveLength(1);
      expect(names(all[0]!, owned.running)).toBe(true);
      await until(async () => !(await stillRunning(owned.running)), 10_000, `the reaped ${owned.running.id} to be gone`);
      // Cleaning up what was reaped is still fine.
      await within(30_000, Promise.all([orphan.running.cleanup(), owned.running.cleanup()]), 'cleanup after reap');
      await expectNoLeftovers(sweepId);
    }, 120_000);

    // -----------------------------------------------------------------------------------------
    // preflight()
    // -----------------------------------------------------------------------------------------

    if (kind !== 'local') {
      it('preflight: the image is found; no image is a UsageError; a missing image an EnvironmentError that says how to fix it', async () => {
        const found = await within(30_000, executor.preflight(options.image), 'preflight');
        expect(found.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
        await expect(executor.preflight(null)).rejects.toBeInstanceOf(UsageError);
        const missing = `flakehunt-conformance-missing-${randomBytes(4).toString('hex')}:nope`;
        const error = await executor.preflight(missing).then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(EnvironmentError);
        expect((error as Error).message).toContain(missing);
        expect((error as Error).message).toMatch(/\b(build|pull)\b/);
      }, 60_000);
    }

    if (kind === 'docker') {
      it('preflight: DOCKER_HOST at a missing unix socket is an EnvironmentError naming it', async () => {
        const saved = process.env.DOCKER_HOST;
        process.env.DOCKER_HOST = 'unix:///nonexistent.sock';
        try {
          const unreachable = new DockerExecutor(new Docker());
          const error = await within(30_000, unreachable.preflight(options.image).then(() => null, (e: unknown) => e), 'preflight');
          expect(error).toBeInstanceOf(EnvironmentError);
          expect((error as Error).message).toContain('/nonexistent.sock');
          expect((error as Error).message).toContain('DOCKER_HOST');
        } finally {
          if (saved === undefined) delete process.env.DOCKER_HOST;
          else process.env.DOCKER_HOST = saved;
        }
      }, 60_000);

      check('unreachable-message-names-wrong-socket')(
        'preflight: a client on a missing unix socket is an EnvironmentError naming that socket',
        async () => {
          const unreachable = new DockerExecutor(new Docker({ socketPath: '/nonexistent.sock' }));
          const error = await within(30_000, unreachable.preflight(options.image).then(() => null, (e: unknown) => e), 'preflight');
          expect(error).toBeInstanceOf(EnvironmentError);
          expect((error as Error).message).toMatch(/DOCKER_HOST/);
          // It must name the socket it tried, not another one.
          expect((error as Error).message).toContain('/nonexistent.sock');
        },
        60_000,
      );
    }
    if (kind === 'local') {
      it('preflight: no image is fine; an image is a UsageError', async () => {
        expect(await executor.preflight(null)).toEqual({ imageId: null });
        await expect(executor.preflight('python:3.11')).rejects.toBeInstanceOf(UsageError);
      });
    }
  });
}

/** How many processes are in a process group (from /proc). */
function countGroup(pgid: number): number {
  let count = 0;
  for (const entry of readdirSyncSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) count += 1;
    } catch {
      // Gone meanwhile.
    }
  }
  return count;
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
