import { createRequire } from 'node:module';

import type Docker from 'dockerode';

const require = createRequire(import.meta.url);

/**
 * Puts a stand-in for a CommonJS module that exports one function into the module cache (adding
 * entries is a documented use of require.cache). The real module loads on the first call.
 */
function deferModule(file: string): void {
  if (require.cache[file] !== undefined) return;
  let real: ((...args: unknown[]) => unknown) | null = null;
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    if (real === null) {
      delete require.cache[file];
      real = require(file) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  require.cache[file] = { id: file, filename: file, loaded: true, exports: standIn, children: [], paths: [] } as unknown as NodeJS.Module;
}

/**
 * dockerode, without loading what flakehunt never uses up front: BuildKit sessions (gRPC and
 * protobuf) and ssh:// daemons (ssh2). Both load when first used. They cost about 0.13 s of CPU at
 * every start of `flakehunt run`, which competes with the containers on a small machine.
 */
export function loadDockerode(): typeof Docker {
  const fromDockerode = createRequire(require.resolve('dockerode'));
  deferModule(fromDockerode.resolve('./session'));
  deferModule(createRequire(fromDockerode.resolve('docker-modem')).resolve('./ssh'));
  return fromDockerode('dockerode') as typeof Docker;
}
