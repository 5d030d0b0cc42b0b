import { expect, it } from 'vitest';

import type { Kit } from '../kit.js';

/** Output and exit codes: what the tests printed arrives in order, and how they ended. */
export function outputChecks(kit: Kit): void {
  it('streams stdout and stderr interleaved in the order written, and ends the output when the run exits', async () => {
    // A short pause between writes: Docker copies stdout and stderr through separate pipes, so back-to-back
    // writes to the two may swap places on their way to the attach stream (see the report).
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('interleave.py'), '20', '0.05']));
    const exit = await kit.finish(running, out);
    const expected = Array.from({ length: 20 }, (_, i) => `${i % 2 === 0 ? 'out' : 'err'} ${i}\n`).join('');
    expect(out.text).toBe(expected);
    expect(exit.exitCode).toBe(0);
  }, 90_000);

  it('reports exit code 0', async () => {
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('exit_code.py'), '0']));
    const exit = await kit.finish(running, out);
    expect(exit).toMatchObject({ exitCode: 0, signal: null });
    expect(exit.oomKilled ?? false).toBe(false);
    expect(out.text).toBe('exiting with 0\n');
  }, 90_000);

  it('reports a non-zero exit code (3)', async () => {
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('exit_code.py'), '3']));
    const exit = await kit.finish(running, out);
    expect(exit).toMatchObject({ exitCode: 3, signal: null });
    expect(out.text).toBe('exiting with 3\n');
  }, 90_000);

  it('passes argv as is, never through a shell', async () => {
    const odd = ['a b', '$HOME', "it's", '*', '; exit 7'];
    const { running, out } = await kit.start(kit.spec(['python3', '-c', 'import sys; print("|".join(sys.argv[1:]))', ...odd]));
    const exit = await kit.finish(running, out);
    expect(exit.exitCode).toBe(0);
    expect(out.text).toBe(`${odd.join('|')}\n`);
  }, 90_000);
}
