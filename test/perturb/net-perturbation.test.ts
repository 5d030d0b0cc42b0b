import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { build } from 'esbuild';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkNetworkPerturbation, startNetworkPerturbation, type NetworkPerturbationOptions } from '../../src/executors/docker/net-perturbation.js';
import { NET_DELAY_SCRIPT } from '../../src/executors/docker/net-delay-helper.js';
import { IMAGE, requireDocker, ROOT, tempDir, waitFor } from '../e2e/helpers.js';

const PROBE_DIR = path.join(ROOT, 'test/fixtures/net-probe');
const LABEL = 'dev.flakehunt.test=net-perturbation';

/** Root too: the perturbation enters the container's namespace. Under CI both must be there. */
async function canRun(): Promise<boolean> {
  if (!(await requireDocker())) return false;
  if (process.getuid?.() === 0) return true;
  if (process.env.CI) throw new Error('network perturbation tests need root: .ci/run runs as root');
  return false;
}

const ready = await canRun();

interface Container { id: string; pid: number }

async function startContainer(extra: string[] = []): Promise<Container> {
  const { stdout } = await execa('docker', ['run', '-d', '--rm', '--init', '--label', LABEL, '-v', `${PROBE_DIR}:/probe:ro`, ...extra, IMAGE, 'sleep', 'infinity']);
  const id = stdout.trim();
  const pid = Number((await execa('docker', ['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
  return { id, pid };
}

/** Round trips (ms; null = lost) measured by net_probe.py inside the container. */
async function probe(container: Container, ...args: string[]): Promise<Array<number | null>> {
  const { stdout } = await execa('docker', ['exec', container.id, 'python3', '/probe/net_probe.py', ...args]);
  return (JSON.parse(stdout) as { ms: Array<number | null> }).ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The spread of the middle half: one spike of a loaded machine does not move it, as it does a standard deviation. */
function interquartileRange(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))]!;
  return at(0.75) - at(0.25);
}

function stdev(values: number[]): number {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
}

/** The seed's first `count` decisions, as the helper itself draws them: [lost, delay ms]. */
async function draws(shaping: Omit<NetworkPerturbationOptions, 'containerPid'>, count: number): Promise<Array<[boolean, number]>> {
  const { stdout } = await execa('python3', [NET_DELAY_SCRIPT, 'draws', '--count', String(count), '--seed', String(shaping.seed),
    '--delay-ms', String(shaping.delayMs), '--jitter-ms', String(shaping.jitterMs), '--loss-percent', String(shaping.lossPercent)]);
  return parseDecisions(stdout);
}

function parseDecisions(text: string): Array<[boolean, number]> {
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const [lost, delay] = line.split(' ');
    return [lost === '1', Number(delay)];
  });
}

/**
 * What each udp-rtt round must show, from the seed alone: a round is two packets in order, the
 * request then (if it got through) the reply; lost if either is dropped, else the sum of both delays.
 */
function predictRounds(decisions: Array<[boolean, number]>, rounds: number): Array<number | null> {
  const predicted: Array<number | null> = [];
  let next = 0;
  for (let round = 0; round < rounds; round++) {
    const [requestLost, requestDelay] = decisions[next++]!;
    if (requestLost) {
      predicted.push(null);
      continue;
    }
    const [replyLost, replyDelay] = decisions[next++]!;
    predicted.push(replyLost ? null : requestDelay + replyDelay);
  }
  return predicted;
}

async function rulesIn(container: Container): Promise<string> {
  const list = async (binary: string) => (await execa('nsenter', [`--net=/proc/${container.pid}/ns/net`, binary, '-t', 'mangle', '-S'], { reject: false })).stdout;
  return (await list('iptables')) + (await list('ip6tables')) + (await list('iptables-legacy'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(ready)('network perturbation (NFQUEUE delayer) seen from inside a container', () => {
  let container: Container;
  let scratch: string;
  let baseline: number[];

  beforeAll(async () => {
    scratch = await tempDir('flakehunt-net-');
    container = await startContainer();
    baseline = (await probe(container, 'tcp-rtt', '30')) as number[];
  });

  afterAll(async () => {
    await execa('docker', ['rm', '-f', ...(await execa('docker', ['ps', '-aq', '--filter', `label=${LABEL}`])).stdout.split('\n').filter(Boolean)], { reject: false });
    await rm(scratch, { recursive: true, force: true });
  });

  it('can work on this machine (preflight)', async () => {
    expect(await checkNetworkPerturbation()).toBeNull();
  });

  it('50 ms of delay adds 2 × 50 ms to a loopback TCP round trip, with no spread; stop() ends it and leaves nothing', async () => {
    expect(median(baseline)).toBeLessThan(5);
    const perturbation = await startNetworkPerturbation({ containerPid: container.pid, delayMs: 50, jitterMs: 0, lossPercent: 0, seed: 1 });
    expect(perturbation.mechanism).toBe('nfqueue');
    expect(perturbation.families).toEqual(['ipv4', 'ipv6']);
    expect(await rulesIn(container)).toContain('FLAKEHUNT_NET_DELAY');
    const delayed = (await probe(container, 'tcp-rtt', '30')) as number[];
    await perturbation.stop();

    // Each direction is queued once on OUTPUT: request + echo = 100 ms, plus at most 1 ms of timer rounding per packet and scheduling.
    expect(median(delayed) - median(baseline)).toBeGreaterThanOrEqual(99.5);
    expect(median(delayed) - median(baseline)).toBeLessThan(110);
    expect(Math.min(...delayed)).toBeGreaterThanOrEqual(99.5);
    // No spread without jitter (the jitter test below sees about 12 ms of it).
    expect(interquartileRange(delayed)).toBeLessThan(5);

    expect(alive(perturbation.helperPid!)).toBe(false);
    expect(perturbation.stats).toMatchObject({ reason: 'SIGTERM', dropped: 0 });
    expect(perturbation.stats!.packets).toBeGreaterThanOrEqual(60);
    expect(await rulesIn(container)).not.toContain('FLAKEHUNT');
    expect(median((await probe(container, 'tcp-rtt', '30')) as number[])).toBeLessThan(5);
    await perturbation.stop(); // idempotent
  });

  it('jitter and loss follow the seed packet by packet: every round is predicted by the seed alone, and the same seed replays it', async () => {
    const shaping = { delayMs: 20, jitterMs: 15, lossPercent: 20, seed: 5 };
    const rounds = 30;
    const runOnce = async (seed: number, roundsRun = rounds) => {
      const tracePath = path.join(scratch, `trace-${seed}-${Date.now()}.txt`);
      const perturbation = await startNetworkPerturbation({ containerPid: container.pid, ...shaping, seed, tracePath });
      const observed = await probe(container, 'udp-rtt', String(roundsRun), '0.5');
      await perturbation.stop();
      return { observed, trace: parseDecisions(await readFile(tracePath, 'utf8')), stats: perturbation.stats! };
    };
    const first = await runOnce(shaping.seed);
    const expected = predictRounds(await draws(shaping, 2 * rounds), rounds);

    // The helper's decisions are the seed's stream, one per packet and nothing else queued.
    expect(first.trace).toEqual((await draws(shaping, first.trace.length)));
    expect(first.stats.dropped).toBe(first.trace.filter(([lost]) => lost).length);
    // Loss: exactly the predicted rounds are lost (20 % per packet: 1 - 0.8² = 36 % of rounds expected).
    expect(first.observed.map((ms) => ms === null)).toEqual(expected.map((ms) => ms === null));
    const lostRounds = expected.filter((ms) => ms === null).length;
    expect(lostRounds).toBeGreaterThan(4);
    // Delay and jitter: each delivered round takes its two drawn delays, never less (released at most
    // 50 us early), and about 1 ms more (two wake-ups of the delayer); a loaded machine adds spikes.
    const errors = first.observed.flatMap((ms, round) => (ms === null ? [] : [ms - expected[round]!]));
    expect(Math.min(...errors)).toBeGreaterThan(-0.1);
    expect(median(errors)).toBeLessThan(4);
    expect(Math.max(...errors)).toBeLessThan(250);
    // Jitter spreads round trips: the sum of two U(5, 35) has a standard deviation of 12.2 ms.
    expect(stdev(first.observed.filter((ms): ms is number => ms !== null))).toBeGreaterThan(8);

    const again = await runOnce(shaping.seed);
    expect(again.trace).toEqual(first.trace);
    expect(again.observed.map((ms) => ms === null)).toEqual(first.observed.map((ms) => ms === null));
    const other = await runOnce(shaping.seed + 1, 5);
    expect(other.trace).not.toEqual(first.trace.slice(0, other.trace.length));
  });

  it('loss makes TCP connections retransmit measurably', async () => {
    const clean = await probe(container, 'tcp-connect', '16', '3');
    const perturbation = await startNetworkPerturbation({ containerPid: container.pid, delayMs: 0, jitterMs: 0, lossPercent: 20, seed: 3 });
    const lossy = await probe(container, 'tcp-connect', '16', '3');
    await perturbation.stop();
    // A lost segment waits for TCP's retransmission timer: 200 ms at least, 1 s for a SYN. Four packets
    // of each try are on its critical path, so 1 - 0.8^4 = 59 % of tries are expected slow.
    const slow = (times: Array<number | null>) => times.filter((ms) => ms === null || ms >= 200).length;
    expect(slow(clean)).toBe(0);
    expect(slow(lossy)).toBeGreaterThanOrEqual(3);
    expect(perturbation.stats!.dropped).toBeGreaterThan(0);
  });

  it('ends by itself when the container\'s process exits', async () => {
    const doomed = await startContainer();
    const perturbation = await startNetworkPerturbation({ containerPid: doomed.pid, delayMs: 10, jitterMs: 0, lossPercent: 0, seed: 1 });
    await execa('docker', ['kill', doomed.id]);
    await waitFor('the helper to exit', () => !alive(perturbation.helperPid!), 15_000);
    await perturbation.stop();
    expect(perturbation.stats!.reason).toBe('container process exited');
  });

  it('a SIGKILLed flakehunt leaves no helper behind, and the container\'s traffic is no longer delayed', async () => {
    const entry = path.join(ROOT, 'node_modules/.cache/flakehunt-test/net-perturbation.mjs');
    await mkdir(path.dirname(entry), { recursive: true });
    await build({ entryPoints: [path.join(ROOT, 'src/executors/docker/net-perturbation.ts')], outfile: entry, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    const script = `const { startNetworkPerturbation } = await import(${JSON.stringify(entry)});
      const p = await startNetworkPerturbation({ containerPid: ${container.pid}, delayMs: 50, jitterMs: 0, lossPercent: 0, seed: 1 });
      console.log(JSON.stringify({ helperPid: p.helperPid }));
      setInterval(() => {}, 1000);`;
    const owner = execa('node', ['--input-type=module', '-e', script], { reject: false, buffer: false });
    const helperPid = await new Promise<number>((resolve, reject) => {
      owner.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { helperPid: number }).helperPid));
      owner.once('exit', (code) => reject(new Error(`the owner exited (${code}) before starting the helper`)));
    });
    expect(median((await probe(container, 'tcp-rtt', '10')) as number[])).toBeGreaterThanOrEqual(99.5);

    owner.kill('SIGKILL');
    await owner;
    await waitFor('the helper to exit after its parent was killed', () => !alive(helperPid), 15_000);
    expect(await rulesIn(container)).not.toContain('FLAKEHUNT');
    expect(median((await probe(container, 'tcp-rtt', '30')) as number[])).toBeLessThan(5);
  });

  it('delays IPv6 too, where the container has it', async () => {
    const dualStack = await startContainer(['--sysctl', 'net.ipv6.conf.all.disable_ipv6=0', '--sysctl', 'net.ipv6.conf.lo.disable_ipv6=0']);
    const perturbation = await startNetworkPerturbation({ containerPid: dualStack.pid, delayMs: 30, jitterMs: 0, lossPercent: 0, seed: 1 });
    const delayed = (await probe(dualStack, 'tcp-rtt', '10', '::1')) as number[];
    await perturbation.stop();
    expect(median(delayed)).toBeGreaterThanOrEqual(59.5);
    expect(median(delayed)).toBeLessThan(70);
    expect(median((await probe(dualStack, 'tcp-rtt', '10', '::1')) as number[])).toBeLessThan(5);
  });

  it('asked for tc netem on a kernel without it, says so and leaves the container as it was', async () => {
    const qdiscs = async () => (await execa('nsenter', [`--net=/proc/${container.pid}/ns/net`, 'tc', 'qdisc', 'show'])).stdout;
    const before = await qdiscs();
    await expect(startNetworkPerturbation({ containerPid: container.pid, delayMs: 10, jitterMs: 0, lossPercent: 0, seed: 1, mechanism: 'netem' }))
      .rejects.toThrow(/tc netem on lo of the container failed: .*qdisc kind is unknown/);
    expect(await qdiscs()).toBe(before);
  });

  it('refuses a container that shares this machine\'s network namespace', async () => {
    const hostNetwork = await startContainer(['--network', 'host']);
    await expect(startNetworkPerturbation({ containerPid: hostNetwork.pid, delayMs: 10, jitterMs: 0, lossPercent: 0, seed: 1 }))
      .rejects.toThrow(/shares flakehunt's own network namespace/);
  });
});
