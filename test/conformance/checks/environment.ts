import { randomBytes } from 'node:crypto';

import { expect, it } from 'vitest';

import type { RunningIteration } from '../../../src/executors/executor.js';
import { OutputReader } from '../support/output-reader.js';
import { ARTIFACTS_DIR, type Kit } from '../kit.js';

/** Environment: spec.env is set, --env-pass variables carry their host values. */
export function environmentChecks(kit: Kit): void {
  it('sets spec.env in the process and passes envPass variables with their host values', async () => {
    const passed = `FLAKEHUNT_CONF_PASS_${randomBytes(3).toString('hex').toUpperCase()}`;
    const unsetPassed = `${passed}_UNSET`;
    const hostValue = `from the host ${randomBytes(4).toString('hex')} $HOME "quoted"`;
    const s = kit.spec(['python3', kit.program('print_env.py'), 'FLAKEHUNT_ITERATION', 'FLAKEHUNT_SWEEP', 'FLAKEHUNT_ARTIFACTS', 'CONF_ODD', passed, unsetPassed]);
    s.env.CONF_ODD = 'a b;c=$d';
    s.envPass = [passed, unsetPassed];
    process.env[passed] = hostValue;
    delete process.env[unsetPassed];
    let running: RunningIteration;
    let out: OutputReader;
    try {
      ({ running, out } = await kit.start(s));
    } finally {
      // Read at start and never kept: the host may change it afterwards.
      delete process.env[passed];
    }
    const exit = await kit.finish(running, out);
    expect(exit.exitCode).toBe(0);
    const vars = Object.fromEntries(out.text.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(vars.FLAKEHUNT_ITERATION).toBe(String(s.iteration));
    expect(vars.FLAKEHUNT_SWEEP).toBe(kit.sweepId());
    // In a container, the container path; on this machine, the same path inside the iteration's sandbox.
    expect(vars.FLAKEHUNT_ARTIFACTS).toBe(kit.probe.artifactsPathIn(running, ARTIFACTS_DIR));
    expect(vars.CONF_ODD).toBe('a b;c=$d');
    expect(vars[passed]).toBe(hostValue);
    expect(vars[unsetPassed]).toBe('<unset>');
  }, 90_000);
}
