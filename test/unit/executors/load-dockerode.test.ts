import path from 'node:path';

import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

// A fresh process, so the module cache holds only what this check loads (dist/ is built by `npm test`).
const PROBE = `
import { createRequire } from 'node:module';
const { loadDockerode } = await import(${JSON.stringify(path.resolve('dist/executors/docker/load-dockerode.js'))});
const Docker = loadDockerode();
const docker = new Docker({ socketPath: '/nonexistent.sock' });
const require = createRequire(import.meta.url);
const loaded = (part) => Object.keys(require.cache).some((file) => file.includes(part));
const before = { grpc: loaded('/@grpc/'), ssh2: loaded('/ssh2/'), modem: typeof docker.modem.dial };
const fromModem = createRequire(createRequire(require.resolve('dockerode')).resolve('docker-modem'));
const agent = fromModem('./ssh')({ host: 'example.invalid' });
console.log(JSON.stringify({ before, agent: typeof agent.createConnection, after: { ssh2: loaded('/ssh2/') } }));
`;

describe('loadDockerode', () => {
  it('loads dockerode without gRPC or ssh2, and loads ssh2 when an ssh connection is first asked for', async () => {
    const { stdout } = await execa('node', ['--input-type=module', '-e', PROBE], { cwd: path.resolve('.') });
    expect(JSON.parse(stdout)).toEqual({
      before: { grpc: false, ssh2: false, modem: 'function' },
      agent: 'function',
      after: { ssh2: true },
    });
  });
});
