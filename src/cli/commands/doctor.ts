import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Command } from 'commander';

import { imageReference } from '../../config/option-parsers.js';
import { ExitCode } from '../../core/errors.js';
import type { EnvironmentCheck } from '../../executors/executor.js';
import { createExecutor, EXECUTOR_CHOICES, parseExecutorKind } from '../../executors/registry.js';

const run = promisify(execFile);
/** Below this much free space in the logs folder, a long sweep's logs may not fit. */
const DISK_WARN_BYTES = 2 * 1024 ** 3;
const DISK_FAIL_BYTES = 200 * 1024 ** 2;

function nodeCheck(): EnvironmentCheck {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { name: 'node', status: 'ok', detail: `v${process.versions.node}` }
    : { name: 'node', status: 'fail', detail: `v${process.versions.node}`, fix: 'flakehunt needs Node.js 20 or later' };
}

async function diskCheck(logsDir: string): Promise<EnvironmentCheck> {
  // The folder may not exist yet: its nearest existing parent holds it.
  let dir = path.resolve(logsDir);
  for (;;) {
    try {
      const info = await stat(dir);
      const name = 'disk (logs folder)';
      if (!info.isDirectory()) return { name, status: 'fail', detail: `${dir} is a file, so ${logsDir} cannot be made`, fix: 'give --logs-dir a folder path' };
      try {
        await access(dir, constants.W_OK);
      } catch {
        return { name, status: 'fail', detail: `${dir} is not writable here`, fix: 'give --logs-dir a folder you can write to' };
      }
      const fs = await statfs(dir);
      if (fs.blocks === 0) return { name, status: 'fail', detail: `${dir} is not on a disk (a ${fs.type === 0x9fa0 ? 'proc' : 'virtual'} file system)`, fix: 'give --logs-dir a folder on a disk' };
      const free = fs.bavail * fs.bsize;
      const gib = `${(free / 1024 ** 3).toFixed(1)} GiB free at ${dir}`;
      if (free < DISK_FAIL_BYTES) return { name: 'disk (logs folder)', status: 'fail', detail: gib, fix: 'free some space, or give --logs-dir on a roomier disk' };
      if (free < DISK_WARN_BYTES) return { name: 'disk (logs folder)', status: 'warn', detail: gib, fix: 'a long sweep of big logs may not fit' };
      return { name: 'disk (logs folder)', status: 'ok', detail: gib };
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return { name: 'disk (logs folder)', status: 'warn', detail: `cannot tell the free space of ${logsDir}` };
      dir = parent;
    }
  }
}

/** What NODE_EXTRA_CA_CERTS costs every start (Node 20 reads the whole file first, nodejs/node#40524). */
async function caCertsCheck(): Promise<EnvironmentCheck | null> {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (file === undefined || file === '') return null;
  const time = async (env: NodeJS.ProcessEnv) => {
    let best = Infinity;
    for (let i = 0; i < 3; i += 1) {
      const t0 = performance.now();
      await run(process.execPath, ['-e', '0'], { env });
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const withIt = await time(process.env);
  const without = await time({ ...process.env, NODE_EXTRA_CA_CERTS: '' });
  const cost = Math.max(0, withIt - without);
  return {
    name: 'NODE_EXTRA_CA_CERTS',
    status: cost > 50 ? 'warn' : 'ok',
    detail: `${file} adds ${Math.round(cost)} ms to every start of node (${Math.round(withIt)} ms against ${Math.round(without)} ms)`,
    ...(cost > 50 ? { fix: 'unless a TLS Docker daemon needs it, run flakehunt with env -u NODE_EXTRA_CA_CERTS' } : {}),
  };
}

const MARK: Record<EnvironmentCheck['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .summary('say what works on this machine, and what to do about what does not')
    .description('Check what a sweep needs here: Node, the Docker daemon (version, API, local or not), the image and its user, free disk in the logs folder, what the perturbations need (CPU quota, cpusets, freezer, network), swarm membership, and what NODE_EXTRA_CA_CERTS costs each start. Exit 0 when a sweep can run, 3 when not.')
    .option('-i, --image <image>', 'also check this image (and try freezing a container of it)')
    .option('--executor <kind>', `the back end to check (${EXECUTOR_CHOICES})`, 'docker')
    .option('--logs-dir <dir>', 'where sweeps will write', 'logs')
    .option('--json', 'print the checks as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt doctor\n  $ flakehunt doctor -i flakehunt-pytest:bookworm --json')
    .action(async (options: { image?: string; executor: string; logsDir: string; json?: boolean }, command: Command) => {
      const executor = await createExecutor(parseExecutorKind(options.executor));
      const checks = [nodeCheck(), ...(await executor.checkEnvironment(imageReference(options.image))), await diskCheck(options.logsDir)];
      const certs = await caCertsCheck();
      if (certs !== null) checks.push(certs);
      const ok = checks.every((c) => c.status !== 'fail');
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
      } else {
        for (const c of checks) process.stdout.write(`${MARK[c.status]}  ${c.name}: ${c.detail}${c.fix ? `\n      → ${c.fix}` : ''}\n`);
        process.stdout.write(ok ? 'A sweep can run here.\n' : 'A sweep cannot run here until the FAIL lines are fixed.\n');
      }
      command.setOptionValue('exitCode', ok ? ExitCode.ok : ExitCode.environment);
    });
}
