import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { execa } from 'execa';

import { UsageError } from '../../core/errors.js';
import { publicEnv } from '../../core/secrets.js';
import { currentProcess, isOwnerAlive, sameProcess } from '../../store/process-identity.js';
import { type EnvironmentCheck, type Executor, type ExitInfo, type IterationSpec, type PreparedIteration, preparedIteration, type ReapFilter, type RunningIteration } from '../executor.js';
import { groupBelongsTo, readRegistry, registerGroup, sandboxPrefix, unregisterGroup } from './local-registry.js';

/** The container-side root that the local executor maps into each iteration's sandbox folder. */
const CONTAINER_ROOT = '/flakehunt';
/** How long output may go on after the command exited (a detached child still writing). */
const OUTPUT_DRAIN_MS = 2_000;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Until every member of the group is gone (killed members can take a moment to be reaped), at most 10 s. */
async function waitForGroupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (groupAlive(pgid) && Date.now() < deadline) {
    signalGroup(pgid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function checkLocalSpec(spec: IterationSpec): void {
  if (spec.mounts.length > 0) throw new UsageError('--mount needs --executor docker: the local executor runs on this machine\'s own files');
}

/**
 * Runs each iteration as a fresh process group on this machine, with no container: for machines
 * without Docker and for fast tests. Isolation is a sandbox folder and a process group, not more.
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;

  /** Always reachable: it is this machine. */
  async ping(): Promise<void> {}

  async checkEnvironment(): Promise<EnvironmentCheck[]> {
    const python = await execa('python3', ['-m', 'pytest', '--version'], { reject: false, timeout: 20_000 });
    return [python.exitCode === 0
      ? { name: 'pytest on this machine', status: 'ok', detail: (python.stdout || python.stderr).trim() }
      : { name: 'pytest on this machine', status: 'warn', detail: 'python3 -m pytest does not run here', fix: 'install pytest for --executor local, or use --executor docker' }];
  }

  describe(spec: IterationSpec): unknown {
    return { argv: spec.argv, env: publicEnv(spec.env), envPass: spec.envPass.map((n) => `${n}=<from host, not shown>`), workdir: spec.workdir };
  }

  async preflight(image: string | null): Promise<{ imageId: string | null }> {
    if (image !== null) throw new UsageError('--image has no meaning with --executor local: drop it, or use --executor docker');
    return { imageId: null };
  }

  /** Checks the spec only: a process group cannot exist before it runs, and a sandbox made early could outlive a killed sweep. */
  async prepare(spec: IterationSpec): Promise<PreparedIteration> {
    checkLocalSpec(spec);
    return preparedIteration(`iteration ${spec.name}`, () => this.launch(spec), async () => undefined);
  }

  async start(spec: IterationSpec): Promise<RunningIteration> {
    return (await this.prepare(spec)).start();
  }

  private async launch(spec: IterationSpec): Promise<RunningIteration> {
    const sandbox = await mkdtemp(`${sandboxPrefix()}${spec.name}-`);
    // Container paths (flakehunt's own, and the artifacts folder wherever it is) live in the sandbox,
    // so parallel and successive iterations never share them.
    const inSandbox = (value: string, root: string) => value === root || value.startsWith(`${root}/`);
    const local = (value: string) =>
      inSandbox(value, CONTAINER_ROOT) || inSandbox(value, spec.artifactsDir) ? path.join(sandbox, value) : value;
    await mkdir(local(spec.artifactsDir), { recursive: true });
    for (const [target, source] of Object.entries(spec.inject)) {
      await mkdir(path.dirname(local(target)), { recursive: true });
      await copyFile(source, local(target));
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(spec.env)) env[key] = local(value);
    if (spec.env.PYTHONPATH !== undefined && process.env.PYTHONPATH) env.PYTHONPATH = `${local(spec.env.PYTHONPATH)}:${process.env.PYTHONPATH}`;
    // The script is constant; the command goes in as positional arguments, never parsed by the shell.
    const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'flakehunt-local', ...spec.argv], {
      cwd: spec.workdir ?? process.cwd(),
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = new LocalIteration(child, sandbox, local(spec.artifactsDir));
    await running.spawned;
    await registerGroup({ sweepId: spec.sweepId, pgid: child.pid!, sandbox, owner: currentProcess() });
    return running;
  }

  async reap(filter: ReapFilter): Promise<string[]> {
    const reaped: string[] = [];
    for (const entry of await readRegistry()) {
      if (filter.sweepId !== null && entry.sweepId !== filter.sweepId) continue;
      if (filter.onlyOwner !== undefined && !sameProcess(entry.owner, filter.onlyOwner)) continue;
      if (!filter.includeLiveOwners && isOwnerAlive(entry.owner) !== false) continue;
      if (await groupBelongsTo(entry.pgid, entry.sweepId)) {
        signalGroup(entry.pgid, 'SIGKILL');
        reaped.push(`pid ${entry.pgid}`);
      }
      const sandbox = path.resolve(entry.sandbox);
      if (sandbox.startsWith(sandboxPrefix()) && !sandbox.includes('..')) await rm(sandbox, { recursive: true, force: true });
      await unregisterGroup(entry.pgid);
    }
    return reaped;
  }
}

class LocalIteration implements RunningIteration {
  readonly id: string;
  readonly output = new PassThrough();
  readonly exited: Promise<ExitInfo>;
  readonly spawned: Promise<void>;
  private done = false;
  private cleaned: Promise<void> | null = null;

  constructor(
    private readonly child: ChildProcess,
    private readonly sandbox: string,
    private readonly artifactsDir: string,
  ) {
    this.id = `pid ${child.pid ?? '?'}`;
    let open = 2;
    const endOne = () => {
      open -= 1;
      if (open === 0) this.output.end();
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.pipe(this.output, { end: false });
      stream.on('end', endOne);
    }
    this.spawned = new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.done = true;
        // As in a container, whatever the command left running in its group dies with it.
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        // A process that left the group (setsid) may still hold the output open: stop waiting for
        // it after a moment, so the iteration ends when its command does.
        setTimeout(() => this.detachOutput(), OUTPUT_DRAIN_MS).unref();
        // As a container (or a shell) reports it: death by a signal is 128 + its number.
        const bySignal = signal === null ? null : 128 + (os.constants.signals[signal] ?? 0);
        resolve({ exitCode: code ?? bySignal, signal });
      });
      child.once('error', () => {
        this.done = true;
        resolve({ exitCode: null, signal: null });
      });
    });
  }

  private get pgid(): number | null {
    return this.child.pid ?? null;
  }

  async forensics(): Promise<string> {
    const pgid = this.pgid;
    if (pgid === null) return 'no process';
    const ps = await execa('ps', ['-o', 'pid,ppid,stat,etime,args', '-g', String(pgid)], { reject: false, timeout: 10_000 });
    const script = path.join(this.sandbox, 'flakehunt', 'plugin', 'flakehunt_forensics.py');
    const stacks = await execa('python3', [script], {
      reject: false,
      timeout: 30_000,
      env: { FLAKEHUNT_ARTIFACTS: this.artifactsDir, FLAKEHUNT_FORENSICS_LOCAL: '1' },
    });
    return `== processes of group ${pgid} ==\n${ps.stdout}\n${stacks.exitCode === 0 ? stacks.stdout : ''}`;
  }

  async stop(graceMs: number): Promise<void> {
    const pgid = this.pgid;
    if (pgid === null) return;
    if (!this.done) {
      signalGroup(pgid, 'SIGTERM');
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    }
    // Whatever ignored SIGTERM, or outlived the group leader, goes now.
    signalGroup(pgid, 'SIGKILL');
    await this.exited;
  }

  async collectArtifacts(destDir: string): Promise<void> {
    await mkdir(destDir, { recursive: true });
    await cp(this.artifactsDir, destDir, { recursive: true, force: false, errorOnExist: false });
  }

  /** Stops reading the command's pipes and ends the output after what it holds. */
  private detachOutput(): void {
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.unpipe(this.output);
      stream?.destroy();
    }
    if (!this.output.writableEnded) this.output.end();
  }

  cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      // Unread output would keep the child's pipes open.
      this.detachOutput();
      const pgid = this.pgid;
      if (pgid !== null) {
        signalGroup(pgid, 'SIGKILL');
        await this.exited;
        await waitForGroupGone(pgid);
        await unregisterGroup(pgid);
      }
      await rm(this.sandbox, { recursive: true, force: true });
    })();
    return this.cleaned;
  }
}
