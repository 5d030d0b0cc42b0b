import { describe, expect, it } from 'vitest';

import { UsageError } from '../../../src/core/errors.js';
import { hostBlocker } from '../../../src/executors/docker/net-perturbation.js';
import { checkShaping } from '../../../src/executors/docker/net-shaping.js';
import { devicesOfQdiscShow, netemQdiscArgs } from '../../../src/executors/docker/netem-qdisc.js';

const shaping = { delayMs: 50, jitterMs: 10, lossPercent: 2.5, seed: 7 };

describe('network perturbation: what is decided before anything runs', () => {
  it('puts netem on one device with a queue large enough, uniform jitter and random loss', () => {
    expect(netemQdiscArgs('eth0', shaping)).toEqual(['qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', 'limit', '16384', 'delay', '50ms', '10ms', 'loss', 'random', '2.5%']);
  });

  it('finds every device, noqueue ones and veth names included, once each', () => {
    const shown = 'qdisc noqueue 0: dev lo root refcnt 2 \nqdisc noqueue 0: dev eth0 root refcnt 2 \nqdisc netem 8001: dev eth0 parent 1:1 limit 1000\n';
    expect(devicesOfQdiscShow(shown)).toEqual(['lo', 'eth0']);
  });

  it('refuses values that have no meaning, naming the value', () => {
    expect(() => checkShaping({ ...shaping, delayMs: -1 })).toThrow(/delay must be .* not -1/);
    expect(() => checkShaping({ ...shaping, jitterMs: Number.NaN })).toThrow(/jitter must be .* not NaN/);
    expect(() => checkShaping({ ...shaping, lossPercent: 101 })).toThrow(/loss must be .* not 101/);
    expect(() => checkShaping({ ...shaping, seed: 1.5 })).toThrow(UsageError);
    expect(() => checkShaping({ ...shaping, lossPercent: 100, delayMs: 0, jitterMs: 0, seed: 0 })).not.toThrow();
  });

  it('says why it cannot work on another system, without root, or with a remote daemon', () => {
    const here = { platform: 'linux', uid: 0, dockerHost: undefined };
    expect(hostBlocker(here)).toBeNull();
    expect(hostBlocker({ ...here, dockerHost: 'unix:///run/user/1000/docker.sock' })).toBeNull();
    expect(hostBlocker({ ...here, platform: 'darwin' })).toMatch(/needs Linux/);
    expect(hostBlocker({ ...here, uid: 1000 })).toMatch(/needs root: .*run flakehunt as root/);
    expect(hostBlocker({ ...here, dockerHost: 'tcp://10.0.0.5:2376' })).toBe(
      'network perturbation needs the Docker daemon on this machine, but DOCKER_HOST=tcp://10.0.0.5:2376: run flakehunt on the daemon\'s host, or drop the network perturbation');
  });
});
