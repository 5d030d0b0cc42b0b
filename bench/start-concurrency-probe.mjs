// Why `--jobs 2` cannot beat `xargs -P 2` by much: does the daemon start two containers at once
// as fast as one? For each network mode, the wall time of one start call alone and of two start
// calls issued together (containers created beforehand, so only the start is timed). When two take
// about twice as long as one, the daemon serialises starts, and every client that keeps it busy
// (flakehunt or xargs) gets the same throughput: one start's time per iteration.
//   node bench/start-concurrency-probe.mjs [repeats] [image]
import Docker from 'dockerode';

const N = Number(process.argv[2] ?? 5);
const IMAGE = process.argv[3] ?? 'flakehunt-pytest:bookworm';
const LABEL = `flakehunt-bench-start-${process.pid}`;
const docker = new Docker();

const create = (network) => docker.createContainer({
  Image: IMAGE, Cmd: ['python3', '-c', 'pass'], Labels: { [LABEL]: '1' },
  HostConfig: { Init: true, NetworkMode: network },
});
async function startsTogether(network, count) {
  const containers = await Promise.all(Array.from({ length: count }, () => create(network)));
  const t0 = performance.now();
  await Promise.all(containers.map((c) => c.start()));
  const ms = performance.now() - t0;
  await Promise.all(containers.map(async (c) => { await c.wait(); await c.remove({ v: true }); }));
  return ms;
}

try {
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`daemon start calls: mean wall ms of ${N} repeats (one alone, then two issued together)`);
  const result = [];
  for (const network of ['bridge', 'none', 'host']) {
    await startsTogether(network, 1); // warm-up
    const one = [], two = [];
    for (let i = 0; i < N; i += 1) {
      one.push(await startsTogether(network, 1));
      two.push(await startsTogether(network, 2));
    }
    const ratio = mean(two) / mean(one);
    const how = ratio > 1.7 ? 'one after the other' : ratio > 1.3 ? 'partly in parallel' : 'in parallel';
    console.log(`  --network ${network.padEnd(7)} one ${mean(one).toFixed(0).padStart(4)} ms, two together ${mean(two).toFixed(0).padStart(4)} ms (×${ratio.toFixed(2)}: ${how})`);
    result.push(`${network}_one_ms=${mean(one).toFixed(0)} ${network}_two_ms=${mean(two).toFixed(0)}`);
  }
  console.log(`RESULT start-concurrency ${result.join(' ')}`);
} finally {
  const left = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  for (const c of left) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
}
