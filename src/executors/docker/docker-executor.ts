import { constants } from 'node:fs';
import { access, cp, mkdir } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';

import type Docker from 'dockerode';

import type { AppliedPerturbation, PerturbationKind } from '../../core/conditions.js';
import { DEFAULT_ARTIFACTS_DIR, FORENSICS_SCRIPT } from '../../core/container-paths.js';
import { EnvironmentError, UsageError } from '../../core/errors.js';
import { isOwnerAlive, sameProcess } from '../../store/process-identity.js';
import { type EnvironmentCheck, type Executor, type ExitInfo, type IterationSpec, type PreparedIteration, preparedIteration, type ReapFilter, type RunningIteration } from '../executor.js';
import { ownerOfLabels, SWEEP_LABEL, TOOL_LABEL } from '../labels.js';
import { buildInjectArchive, extractFolderArchive } from './archives.js';
import { containerCreateOptions } from './container-spec.js';
import { loadDockerode } from './load-dockerode.js';
import { DockerDemux } from './demux.js';
import { dockerChecks } from './docker-doctor.js';
import { IterationPerturbation } from './iteration-perturbation.js';
import { checkNetworkPerturbation } from './net-perturbation.js';
import { classifyDockerError, daemonUnreachable } from './docker-errors.js';

const STOP_API_TIMEOUT_MS = 15_000;
const FORENSICS_TIMEOUT_MS = 30_000;
const MAX_FORENSICS_BYTES = 1 << 20;

/** Runs each iteration in a fresh container on a real Docker daemon (dockerode; the only file that knows it). */
export class DockerExecutor implements Executor {
  readonly kind = 'docker' as const;
  private readonly imageEnv = new Map<string, string[]>();
  /** Images whose containers run as root: their artifacts folder can be a plain volume. */
  private readonly rootImages = new Set<string>();

  constructor(private readonly docker: Docker = new (loadDockerode())()) {}

  /** Checks that the daemon answers; EnvironmentError naming the socket and the fix when it does not. */
  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      throw daemonUnreachable(error as Error, this.docker);
    }
  }

  async preflight(image: string | null, perturbations: PerturbationKind[] = []): Promise<{ imageId: string | null }> {
    if (image === null) throw new UsageError('--image is required with the docker executor: name the image to test, e.g. -i dynamo:latest-dev');
    if (perturbations.includes('net')) {
      const problem = await checkNetworkPerturbation();
      if (problem !== null) throw new EnvironmentError(problem);
    }
    // No separate ping: an unreachable daemon fails this first request just the same (20 ms sooner).
    try {
      const info = await this.docker.getImage(image).inspect();
      this.imageEnv.set(image, info.Config?.Env ?? []);
      const user = info.Config?.User ?? '';
      if (user === '' || user === 'root' || user === '0' || user.startsWith('0:') || user.startsWith('root:')) this.rootImages.add(image);
      return { imageId: info.Id };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) {
        throw new EnvironmentError(`image ${image} is not on this Docker host: build or pull it first (for the demo: bash templates/image/build-pytest-image.sh)`);
      }
      throw daemonUnreachable(error as Error, this.docker);
    }
  }

  checkEnvironment(image: string | null): Promise<EnvironmentCheck[]> {
    return dockerChecks(this.docker, image);
  }

  describe(spec: IterationSpec): Docker.ContainerCreateOptions {
    return containerCreateOptions(spec, process.env, false);
  }

  async start(spec: IterationSpec): Promise<RunningIteration> {
    return (await this.prepare(spec)).start();
  }

  /** Creates the container, copies files in if it must, and attaches to its console. */
  async prepare(spec: IterationSpec): Promise<PreparedIteration> {
    const options = containerCreateOptions(this.withImagePythonPath(spec), process.env, true);
    // Copying files in with putArchive makes dockerd run a tar helper (about 60 ms each time). With a
    // daemon on this machine and a root image, the files are bind-mounted read-only instead, and the
    // artifacts folder is an anonymous volume (removed with the container).
    const direct = this.localDaemon() && spec.image !== null && this.rootImages.has(spec.image);
    if (direct) {
      options.HostConfig!.Binds = [...(options.HostConfig!.Binds ?? []), ...Object.entries(spec.inject).map(([target, source]) => `${source}:${target}:ro`)];
      options.HostConfig!.Mounts = [...(options.HostConfig!.Mounts ?? []), { Type: 'volume', Target: spec.artifactsDir } as Docker.MountSettings];
    }
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(options);
    } catch (error) {
      throw classifyDockerError(error, `create a container from ${spec.image}`);
    }
    const perturbation = spec.perturbation === null ? null : new IterationPerturbation(this.docker, container, spec);
    const running = new DockerIteration(container, perturbation);
    try {
      if (!direct) {
        const archive = await buildInjectArchive([spec.artifactsDir], spec.inject);
        await container.putArchive(archive, { path: '/' });
      }
      const attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
      running.connect(attached);
    } catch (error) {
      await running.cleanup();
      throw classifyDockerError(error, `prepare container ${spec.name}`);
    }
    return preparedIteration(`container ${running.id}`, async () => {
      try {
        // A prepared container can wait a whole run; a console connection lost meanwhile would
        // give an empty log. Starting fails instead, and the retry uses a fresh container.
        if (running.consoleLost()) throw new Error(`the console connection to container ${running.id} closed before it started`);
        await perturbation?.beforeStart();
        await container.start();
        perturbation?.afterStart();
      } catch (error) {
        await running.cleanup();
        throw classifyDockerError(error, `start container ${spec.name}`);
      }
      running.watchExit(spec.artifactsDir);
      return running;
    }, () => running.cleanup());
  }

  async reap(filter: ReapFilter): Promise<string[]> {
    const label = filter.sweepId === null ? `${TOOL_LABEL}=1` : `${SWEEP_LABEL}=${filter.sweepId}`;
    let containers: Docker.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({ all: true, filters: { label: [label] } });
    } catch (error) {
      throw daemonUnreachable(error as Error, this.docker);
    }
    const removed: string[] = [];
    for (const info of containers) {
      const owner = ownerOfLabels(info.Labels);
      if (filter.onlyOwner !== undefined && (owner === null || !sameProcess(owner, filter.onlyOwner))) continue;
      if (!filter.includeLiveOwners && (owner === null || isOwnerAlive(owner) !== false)) continue;
      try {
        await this.docker.getContainer(info.Id).remove({ force: true, v: true });
        removed.push(info.Id.slice(0, 12));
      } catch (error) {
        // 404: gone already; 409: another process is removing it right now.
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) throw classifyDockerError(error, `remove container ${info.Id.slice(0, 12)}`);
      }
    }
    return removed;
  }

  /** Whether the daemon runs on this machine, so host paths mean the same to both. */
  private localDaemon(): boolean {
    const host = process.env.DOCKER_HOST;
    return host === undefined || host === '' || host.startsWith('unix://');
  }

  /** Keeps the image's own PYTHONPATH after flakehunt's plugin folder instead of replacing it. */
  private withImagePythonPath(spec: IterationSpec): IterationSpec {
    const ours = spec.env.PYTHONPATH;
    const theirs = (this.imageEnv.get(spec.image ?? '') ?? []).find((entry) => entry.startsWith('PYTHONPATH='));
    if (ours === undefined || theirs === undefined) return spec;
    return { ...spec, env: { ...spec.env, PYTHONPATH: `${ours}:${theirs.slice('PYTHONPATH='.length)}` } };
  }
}

class DockerIteration implements RunningIteration {
  readonly id: string;
  readonly output = new PassThrough();
  exited: Promise<ExitInfo> = Promise.resolve({ exitCode: null, signal: null });
  private artifactsDir = DEFAULT_ARTIFACTS_DIR;
  private removed: Promise<void> | null = null;
  private attached: Readable | null = null;
  private demux: DockerDemux | null = null;

  constructor(
    private readonly container: Docker.Container,
    private readonly perturbation: IterationPerturbation | null = null,
  ) {
    this.id = container.id.slice(0, 12);
  }

  connect(attached: Readable): void {
    this.attached = attached;
    const demux = new DockerDemux();
    this.demux = demux;
    attached.on('error', (error) => demux.destroy(error));
    demux.on('error', () => this.output.end());
    attached.pipe(demux).pipe(this.output);
  }

  consoleLost(): boolean {
    return this.attached === null || this.attached.destroyed || this.attached.readableEnded;
  }

  watchExit(artifactsDir: string): void {
    this.artifactsDir = artifactsDir;
    this.exited = new Promise((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (exit: ExitInfo) => {
        settled = true;
        clearTimeout(timer);
        resolve(exit);
      };
      this.container.wait().then(
        async (status: { StatusCode?: number }) => {
          const exitCode = status.StatusCode ?? null;
          // SIGKILL's 137 may be the kernel's OOM killer: only the daemon can tell.
          const oomKilled = exitCode === 137 ? await this.container.inspect().then((info) => info.State.OOMKilled, () => null) : false;
          settle({ exitCode, signal: null, oomKilled });
        },
        () => settle({ exitCode: null, signal: null }),
      );
      // If the connection to the daemon drops, wait() may never settle: once the console stream
      // has ended, ask the daemon directly; no answer means the run is lost (exit code unknown).
      // Only while wait() is still open, so a finished sweep does not linger on these timers.
      this.output.once('close', () => {
        const check = () => {
          if (settled) return;
          this.container.inspect().then(
            (info) => {
              if (info.State.Running) timer = setTimeout(check, 1000);
              else settle({ exitCode: info.State.ExitCode, signal: null });
            },
            () => settle({ exitCode: null, signal: null }),
          );
        };
        if (!settled) timer = setTimeout(check, 1000);
      });
    });
    // The tests are over: the hogs need not burn CPU while the run is recorded.
    void this.exited.then(() => this.perturbation?.end()).catch(() => undefined);
  }

  async forensics(): Promise<string> {
    // A frozen container answers no exec.
    await this.perturbation?.thaw();
    const script = await this.exec(['python3', FORENSICS_SCRIPT]);
    if (script.ok) return script.text;
    const ps = await this.exec(['ps', '-eo', 'pid,ppid,stat,etime,args']);
    return ps.ok ? ps.text : `no forensics: neither python3 nor ps could run in the container (${script.text.trim()})`;
  }

  async stop(graceMs: number): Promise<void> {
    await this.perturbation?.thaw();
    const seconds = Math.max(1, Math.ceil(graceMs / 1000));
    const stopped = this.container.stop({ t: seconds }).catch(() => undefined);
    const limit = new Promise((resolve) => setTimeout(resolve, graceMs + STOP_API_TIMEOUT_MS).unref());
    await Promise.race([stopped, limit]);
    await this.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    await this.exited;
  }

  async collectArtifacts(destDir: string): Promise<void> {
    // A volume on this machine that this process may read: copy it straight from the disk.
    const volume = await this.readableVolumeOf(this.artifactsDir);
    if (volume !== null) {
      await mkdir(destDir, { recursive: true });
      await cp(volume, destDir, { recursive: true, errorOnExist: false, force: false, verbatimSymlinks: true });
      return;
    }
    const archive = (await this.container.getArchive({ path: this.artifactsDir })) as unknown as Readable;
    await extractFolderArchive(archive, destDir);
  }

  /** The host folder of the volume mounted at `target`, if there is one and it can be read here. */
  private async readableVolumeOf(target: string): Promise<string | null> {
    try {
      const info = await this.container.inspect();
      const mount = info.Mounts.find((m) => m.Destination === target && m.Type === 'volume');
      if (mount === undefined || !mount.Source) return null;
      await access(mount.Source, constants.R_OK | constants.X_OK);
      return mount.Source;
    } catch {
      return null;
    }
  }

  applied(): AppliedPerturbation | null {
    return this.perturbation?.applied() ?? null;
  }

  cleanup(): Promise<void> {
    // An unread, backed-up console stream keeps the daemon from finishing the removal: stop
    // reading from the daemon, and end the output after what it already holds.
    if (this.demux !== null) this.demux.unpipe(this.output);
    this.attached?.destroy();
    this.demux?.destroy();
    if (!this.output.writableEnded) this.output.end();
    // Thawed and its hogs gone first: nothing of it may stay frozen or keep burning CPU.
    this.removed ??= (this.perturbation?.end() ?? Promise.resolve())
      .then(() => this.container.remove({ force: true, v: true }))
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404 && error.statusCode !== 409) throw classifyDockerError(error, `remove container ${this.id}`);
      })
      ;
    return this.removed;
  }

  private async exec(cmd: string[]): Promise<{ ok: boolean; text: string }> {
    try {
      const exec = await this.container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Env: [`FLAKEHUNT_ARTIFACTS=${this.artifactsDir}`] });
      const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Readable;
      const chunks: Buffer[] = [];
      let size = 0;
      const demux = new DockerDemux();
      demux.on('data', (chunk: Buffer) => {
        if (size < MAX_FORENSICS_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      stream.pipe(demux);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FORENSICS_TIMEOUT_MS);
        demux.on('end', () => { clearTimeout(timer); resolve(); });
        stream.on('error', () => { clearTimeout(timer); resolve(); });
      });
      const inspect = await exec.inspect();
      return { ok: inspect.ExitCode === 0, text: Buffer.concat(chunks).toString('utf8') };
    } catch (error) {
      return { ok: false, text: (error as Error).message };
    }
  }
}
