// Where an iteration's time goes on the Docker side: the same Engine API sequence flakehunt's
// DockerExecutor makes, with and without its two archive calls, against what `docker run --rm`
// makes. Variants run round-robin (so daemon noise spreads evenly); prints the mean ms per
// iteration of each and of each API call.
//   node bench/docker-api-probe.mjs [iterations-per-variant] [image]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

import Docker from 'dockerode';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { buildInjectArchive, extractFolderArchive } = await import(path.join(repo, 'dist/executors/docker/archives.js'));

const N = Number(process.argv[2] ?? 10);
const IMAGE = process.argv[3] ?? 'flakehunt-pytest:bookworm';
const LABEL = `flakehunt-bench-probe-${process.pid}`;
const docker = new Docker();
const tmp = mkdtempSync(path.join(tmpdir(), 'flakehunt-bench-probe.'));
const forensics = path.join(repo, 'templates/pytest-plugin/flakehunt_forensics.py');

const timings = new Map(); // variant -> { total: [], calls: Map<call, []> }
function record(variant, call, ms) {
  let v = timings.get(variant);
  if (!v) timings.set(variant, (v = { total: [], calls: new Map() }));
  if (call === null) v.total.push(ms);
  else (v.calls.get(call) ?? v.calls.set(call, []).get(call)).push(ms);
}
async function timed(variant, call, fn) {
  const t = performance.now();
  const r = await fn();
  record(variant, call, performance.now() - t);
  return r;
}

/** One iteration; `archives` adds flakehunt's putArchive + getArchive, `bind` bind-mounts the artifacts folder instead. */
async function iteration(variant, { archives, bind }, i) {
  const t0 = performance.now();
  const host = path.join(tmp, `${variant}-${i}`);
  const options = {
    Image: IMAGE, Cmd: ['python3', '-c', 'pass'], Labels: { [LABEL]: '1' },
    AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false,
    HostConfig: { Init: true, AutoRemove: false, Binds: bind ? [`${host}:/flakehunt/artifacts`] : [] },
  };
  if (bind) (await import('node:fs')).mkdirSync(host, { recursive: true, mode: 0o777 });
  const container = await timed(variant, 'create', () => docker.createContainer(options));
  if (archives) {
    const tar = await buildInjectArchive(['/flakehunt/artifacts'], { '/flakehunt/plugin/flakehunt_forensics.py': forensics });
    await timed(variant, 'putArchive', () => container.putArchive(tar, { path: '/' }));
  }
  const stream = await timed(variant, 'attach', () => container.attach({ stream: true, stdout: true, stderr: true }));
  const sink = new PassThrough();
  stream.pipe(sink).resume();
  await timed(variant, 'start', () => container.start());
  await timed(variant, 'wait', () => container.wait());
  if (archives) {
    await timed(variant, 'getArchive', async () => extractFolderArchive(await container.getArchive({ path: '/flakehunt/artifacts' }), host));
  }
  stream.destroy();
  await timed(variant, 'remove', () => container.remove({ force: true, v: true }));
  record(variant, null, performance.now() - t0);
}

/** The shell-loop baseline's unit: the docker CLI (create, attach, start, wait, auto-remove). */
async function cli(variant) {
  const t0 = performance.now();
  execFileSync('docker', ['run', '--rm', '--init', '--label', `${LABEL}=1`, IMAGE, 'python3', '-c', 'pass'], { stdio: 'ignore' });
  record(variant, null, performance.now() - t0);
}

const variants = [
  ['docker run --rm --init (CLI process)', { cli: true }],
  ['run-like (create, attach, start, wait, remove)', { archives: false, bind: false }],
  ['flakehunt today (+ putArchive + getArchive)', { archives: true, bind: false }],
  ['bind-mounted artifacts (no archives)', { archives: false, bind: true }],
];

try {
  const one = (name, how, i) => (how.cli ? cli(name) : iteration(name, how, i));
  for (const [name, how] of variants) await one(name, how, -1); // warm-up
  timings.clear();
  for (let i = 0; i < N; i += 1) for (const [name, how] of variants) await one(name, how, i);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`docker API probe: ${N} iterations per variant, round-robin, mean ms`);
  for (const [name, v] of timings) {
    const calls = [...v.calls].map(([call, xs]) => `${call} ${mean(xs).toFixed(0)}`).join(', ');
    console.log(`  ${name.padEnd(48)} ${mean(v.total).toFixed(0).padStart(5)} ms/iteration${calls ? `  (${calls})` : ''}`);
  }
  const [cliMs, base, today, bind] = [...timings.values()].map((v) => mean(v.total));
  console.log(`  archives cost ${(today - base).toFixed(0)} ms per iteration (${(((today - base) / today) * 100).toFixed(0)}% of flakehunt's Docker time); bind mount instead: ${(bind - base).toFixed(0)} ms`);
  console.log(`RESULT docker-api-probe cli_ms=${cliMs.toFixed(0)} base_ms=${base.toFixed(0)} flakehunt_ms=${today.toFixed(0)} bind_ms=${bind.toFixed(0)}`);
} finally {
  const left = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  for (const c of left) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}
