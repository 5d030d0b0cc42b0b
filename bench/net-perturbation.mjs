// What the NFQUEUE network delayer costs (templates/perturb/net_delay.py, started through
// dist/executors/docker/net-perturbation.js): in one container, the loopback figures of
// test/fixtures/net-probe/net_probe.py without the delayer and with it at 0 ms (every packet
// still goes to userspace and back), rounds alternating so machine noise spreads over both.
//   node bench/net-perturbation.mjs [rounds] [image]      (root, Docker; build first)
// Figures: UDP datagrams/s (64 B, sender blocked by the held packets, so this is what the delayer
// sustains), TCP bulk MiB/s, TCP echo round trip, the delayer's CPU per packet, start and stop time.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startNetworkPerturbation } = await import(path.join(repo, 'dist/executors/docker/net-perturbation.js'));

const ROUNDS = Number(process.argv[2] ?? 3);
const IMAGE = process.argv[3] ?? 'flakehunt-pytest:bookworm';
const UDP_COUNT = 100_000;
const TCP_MIB = 500;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const docker = (...args) => execFileSync('docker', args).toString().trim();
const id = docker('run', '-d', '--rm', '--init', '--label', `flakehunt-bench=net-${process.pid}`, '-v', `${repo}/test/fixtures/net-probe:/probe:ro`, IMAGE, 'sleep', 'infinity');
const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', id));
const probe = (...args) => JSON.parse(docker('exec', id, 'python3', '/probe/net_probe.py', ...args)).ms;
const cpuSeconds = (p) => {
  const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const rows = { off: [], on: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? ['on', 'off'] : ['off', 'on']) {
      let perturbation = null;
      let startMs = null;
      if (mode === 'on') {
        const t = performance.now();
        perturbation = await startNetworkPerturbation({ containerPid: pid, delayMs: 0, jitterMs: 0, lossPercent: 0, seed: 1 });
        startMs = performance.now() - t;
      }
      const cpu0 = perturbation ? cpuSeconds(perturbation.helperPid) : 0;
      const udp = probe('udp-blast', String(UDP_COUNT), '64');
      const cpuUdp = perturbation ? cpuSeconds(perturbation.helperPid) - cpu0 : 0;
      const tcp = probe('tcp-bulk', String(TCP_MIB));
      const rtt = median(probe('tcp-rtt', '200'));
      const row = { udpPerS: udp.received / udp.seconds, udpReceived: udp.received, tcpMiBs: TCP_MIB / tcp.seconds, rttUs: rtt * 1000 };
      if (perturbation) {
        const t = performance.now();
        await perturbation.stop();
        Object.assign(row, { startMs, stopMs: performance.now() - t, packets: perturbation.stats.packets, cpuUsPerUdpPacket: (cpuUdp / udp.received) * 1e6, cpuShareDuringUdp: cpuUdp / udp.seconds });
      }
      rows[mode].push(row);
      console.log(mode, JSON.stringify(row));
    }
  }
} finally {
  execFileSync('docker', ['rm', '-f', id]);
}
const best = (mode, key, pick = Math.max) => pick(...rows[mode].map((r) => r[key]));
const med = (mode, key) => median(rows[mode].map((r) => r[key]));
console.log(`RESULT net-perturbation udp_pps_off=${med('off', 'udpPerS').toFixed(0)} udp_pps_delayer=${med('on', 'udpPerS').toFixed(0)} ` +
  `tcp_mibs_off=${med('off', 'tcpMiBs').toFixed(0)} tcp_mibs_delayer=${med('on', 'tcpMiBs').toFixed(0)} ` +
  `rtt_us_off=${med('off', 'rttUs').toFixed(1)} rtt_us_delayer=${med('on', 'rttUs').toFixed(1)} ` +
  `cpu_us_per_packet=${med('on', 'cpuUsPerUdpPacket').toFixed(2)} cpu_share_at_max=${med('on', 'cpuShareDuringUdp').toFixed(2)} ` +
  `start_ms=${med('on', 'startMs').toFixed(0)} stop_ms=${med('on', 'stopMs').toFixed(0)} best_udp_pps_delayer=${best('on', 'udpPerS').toFixed(0)}`);
