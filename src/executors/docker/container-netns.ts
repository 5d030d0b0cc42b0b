import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';

import { InfrastructureError, UsageError } from '../../core/errors.js';

/** The container's process was gone (or never visible here) when the perturbation was to start. */
export class ContainerGoneError extends InfrastructureError {
  override name = 'ContainerGoneError';
}

/**
 * A container's network namespace, held open: commands enter it through the handle
 * (`nsenter --net=/proc/self/fd/3` with the handle as fd 3), never again by the pid, so a pid reused
 * after the container exited cannot send them into another namespace.
 */
export interface ContainerNetns {
  readonly pid: number;
  /** The namespace's identity (inode of its nsfs file); the in-namespace helper checks it too. */
  readonly inode: number;
  readonly handle: FileHandle;
}

/** The fd the namespace handle gets in a child started with {@link netnsStdio}. */
export const NETNS_FD = 3;
export const NSENTER_NETNS = `--net=/proc/self/fd/${NETNS_FD}`;

export function netnsStdio(netns: ContainerNetns): ['pipe', 'pipe', 'pipe', number] {
  return ['pipe', 'pipe', 'pipe', netns.handle.fd];
}

export interface NetnsCommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `argv` inside the namespace (through its handle) to the end, killed after `timeoutMs`; never throws. */
export function runInNetns(netns: ContainerNetns, argv: string[], timeoutMs = 30_000): Promise<NetnsCommandResult> {
  return new Promise((resolve) => {
    const child = spawn('nsenter', [NSENTER_NETNS, '--', ...argv], { stdio: netnsStdio(netns), timeout: timeoutMs });
    const output = { stdout: '', stderr: '' };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output.stdout += chunk; });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output.stderr += chunk; });
    child.once('error', (error) => resolve({ exitCode: null, stdout: output.stdout, stderr: error.message }));
    child.once('close', (exitCode) => resolve({ exitCode, ...output }));
  });
}

/** Opens the network namespace of `pid`; refuses the one flakehunt itself runs in (`--network host`). */
export async function openContainerNetns(pid: number): Promise<ContainerNetns> {
  let handle: FileHandle;
  try {
    handle = await open(`/proc/${pid}/ns/net`, constants.O_RDONLY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UsageError(`cannot open the network namespace of container process ${pid} (${code}): network perturbation needs root`);
    }
    throw new ContainerGoneError(`container process ${pid} is not visible on this machine (${code}): it has exited, or the daemon runs elsewhere (a VM, another host)`);
  }
  const inode = (await handle.stat()).ino;
  if (inode === (await stat('/proc/self/ns/net')).ino) {
    await handle.close();
    throw new UsageError(`container process ${pid} shares flakehunt's own network namespace (--network host?): perturbing it would delay this machine's traffic; use a container network`);
  }
  return { pid, inode, handle };
}
