// Diagnostic preload for the benchmarks (not used by the timed figures):
//   FLAKEHUNT_TRACE=/tmp/trace.jsonl node --import ./bench/trace-docker.mjs bin/flakehunt.js run ...
// Records every Docker Engine API call (method, path, ms until dockerode's callback) and every
// proper-lockfile lock() (ms until acquired or refused) as JSON lines, so the time an iteration
// spends outside the container can be attributed. It patches the shared CommonJS module
// instances only; nothing in src/ changes.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const out = process.env.FLAKEHUNT_TRACE;
if (out) {
  // The bundle carries its own copy of proper-lockfile: load dist/'s modules, which share node_modules.
  process.env.FLAKEHUNT_UNBUNDLED = '1';
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(path.join(repo, 'package.json'));
  const t0 = performance.now();
  const log = (entry) => appendFileSync(out, `${JSON.stringify({ pid: process.pid, at: +(performance.now() - t0).toFixed(1), ...entry })}\n`);

  const Modem = require(require.resolve('docker-modem', { paths: [path.dirname(require.resolve('dockerode'))] }));
  const dial = Modem.prototype.dial;
  Modem.prototype.dial = function (options, callback) {
    const start = performance.now();
    const what = `${options.method} ${String(options.path).replace(/\/containers\/[0-9a-f]{12,}/, '/containers/{id}').replace(/\?.*$/, '')}`;
    return dial.call(this, options, (err, data) => {
      log({ kind: 'docker', call: what, ms: +(performance.now() - start).toFixed(1), start: +(start - t0).toFixed(1), error: err ? String(err.statusCode ?? err.message) : undefined });
      callback(err, data);
    });
  };

  const lockfile = require('proper-lockfile');
  const lock = lockfile.lock;
  lockfile.lock = async function (file, options) {
    const start = performance.now();
    const name = path.basename(options?.lockfilePath ?? file);
    try {
      const release = await lock.call(this, file, options);
      const acquired = performance.now();
      log({ kind: 'lock', lock: name, ms: +(acquired - start).toFixed(1), start: +(start - t0).toFixed(1) });
      return async (...args) => {
        log({ kind: 'held', lock: name, ms: +(performance.now() - acquired).toFixed(1) });
        return release(...args);
      };
    } catch (error) {
      log({ kind: 'lock', lock: name, ms: +(performance.now() - start).toFixed(1), refused: error.code ?? String(error) });
      throw error;
    }
  };
}
