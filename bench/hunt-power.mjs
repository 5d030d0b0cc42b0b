#!/usr/bin/env node
// Reproduction power: iterations and wall time to the first and to the third failure, `flakehunt
// hunt` (its default search space) against plain reruns (`flakehunt run --max-failures 3`), on the
// project's own flaky suites (templates/demo-suite/flaky), ROUNDS times each, in alternating order.
// Plain reruns are cut off at CAP iterations: a figure shown as ">CAP" never reached the failure.
// Prints RESULT lines; the ratio is hunt ÷ plain of iterations to the third failure (goal ≤ 0.20).
//
//   node bench/hunt-power.mjs            (ROUNDS=4 CAP=60 JOBS=2 by default, from the environment;
//                                         SUITES=0,2 picks suites by their index below)
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const image = process.env.FLAKEHUNT_BENCH_IMAGE ?? 'flakehunt-pytest:bookworm';
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const CAP = Number(process.env.CAP ?? 60);
const JOBS = process.env.JOBS ?? '2';
const allSuites = [
  { name: 'producer/consumer race, 50 ms deadline', ids: ['test_race.py'] },
  { name: 'order-dependent victim/polluter pair', ids: ['test_a_reader.py', 'test_b_writer.py'] },
  { name: 'client with a 50 ms socket timeout', ids: ['test_socket_timeout.py'] },
];
const suites = process.env.SUITES ? process.env.SUITES.split(',').map((i) => allSuites[Number(i)]) : allSuites;

/** The iteration numbers of failed results and the seconds from the sweep's start to each finish. */
function failures(sweep) {
  const results = readdirSync(sweep).filter((d) => /^run\d+$/.test(d)).flatMap((d) => {
    try {
      return [JSON.parse(readFileSync(path.join(sweep, d, 'result.json'), 'utf8'))];
    } catch {
      return [];
    }
  }).sort((a, b) => a.iteration - b.iteration);
  const start = Math.min(...results.map((r) => Date.parse(r.startedAt)));
  const counted = results.filter((r) => r.status === 'passed' || r.status === 'failed');
  return {
    ran: counted.length,
    failed: counted.filter((r) => r.status === 'failed').map((r) => ({ iteration: r.iteration, seconds: (Date.parse(r.finishedAt) - start) / 1000 })),
  };
}

async function sweep(kind, suite, logs, tag) {
  const args = [path.join(repo, 'bin/flakehunt.js'), kind, '-i', image, '--mount', `${path.join(repo, 'templates/demo-suite/flaky')}:/suite:ro`, '--workdir', '/suite',
    ...suite.ids.flatMap((id) => ['--pytest-nodeid', id]), '--pytest-args', '-p no:cacheprovider', '-j', JOBS, '--logs-dir', logs, '-t', tag, '--no-progress', '--timeout', '2m'];
  if (kind === 'run') args.push('--max-failures', '3', '-e', String(CAP));
  else args.push('--reproductions', '3', '--budget', String(CAP));
  await run('node', args, { maxBuffer: 1 << 26 }).catch((error) => {
    if (error.code !== 1) throw error;
  });
  const folder = readdirSync(logs).find((d) => d.endsWith(`_${tag}`));
  return failures(path.join(logs, folder));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const show = (x) => (x === Infinity ? `>${CAP}` : String(Math.round(x * 10) / 10));

const logs = mkdtempSync(path.join(tmpdir(), 'flakehunt-bench-hunt-'));
try {
  console.log(`hunt vs plain reruns: ${ROUNDS} rounds per suite, plain capped at ${CAP} iterations, -j ${JOBS}`);
  for (const [s, suite] of suites.entries()) {
    if (suite === undefined) throw new Error(`SUITES names no suite: ${process.env.SUITES}`);
    const figures = { run: [], hunt: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      // Alternate which goes first, so machine drift does not favour one.
      const order = round % 2 === 0 ? ['run', 'hunt'] : ['hunt', 'run'];
      for (const kind of order) {
        const { ran, failed } = await sweep(kind, suite, logs, `${kind}${s}r${round}`);
        const nth = (n) => failed[n - 1] ?? { iteration: Infinity, seconds: Infinity };
        figures[kind].push({ ran, first: nth(1), third: nth(3) });
        console.log(`  ${suite.name}, round ${round + 1}, ${kind}: ${ran} iteration(s), failures at ${failed.map((f) => f.iteration).join(', ') || 'none'}`);
      }
    }
    const summary = (kind, which, field) => median(figures[kind].map((f) => f[which][field]));
    const line = (which) => `to the ${which === 'first' ? '1st' : '3rd'} failure: plain ${show(summary('run', which, 'iteration'))} iterations / ${show(summary('run', which, 'seconds'))} s, hunt ${show(summary('hunt', which, 'iteration'))} / ${show(summary('hunt', which, 'seconds'))} s`;
    console.log(`${suite.name}: medians over ${ROUNDS} rounds, ${line('first')}; ${line('third')}`);
    const plain3 = summary('run', 'third', 'iteration');
    const hunt3 = summary('hunt', 'third', 'iteration');
    // A plain sweep that never reached 3 failures counts as CAP: the true ratio is smaller still.
    const ratio = hunt3 === Infinity ? Infinity : hunt3 / Math.min(plain3, CAP);
    const neverPlain = figures.run.every((f) => f.first.iteration === Infinity);
    console.log(`RESULT hunt-power ${suite.ids.join('+')}: hunt/plain iterations to the 3rd failure ${ratio === Infinity ? 'inf' : ratio.toFixed(2)}${plain3 === Infinity ? ` (plain never reached 3 in ${CAP}: ratio is an upper bound)` : ''}${neverPlain ? '; plain reruns never showed it' : ''} (goal <= 0.20)`);
  }
} finally {
  rmSync(logs, { recursive: true, force: true });
}
