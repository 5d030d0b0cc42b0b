import { access, readFile, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';

import { expect, it } from 'vitest';

import { within } from '../support/waiting.js';
import { listTree } from '../support/processes.js';
import type { Kit } from '../kit.js';

/** Artifacts: the artifacts folder comes out whole, owned by whoever runs flakehunt. */
export function artifactsChecks(kit: Kit): void {
  it('collects the artifacts folder (with subfolders) into a new dest dir, same contents, readable by us', async () => {
    const { running, out } = await kit.start(kit.spec(['python3', kit.program('write_artifacts.py')]));
    const exit = await kit.finish(running, out);
    expect(exit.exitCode).toBe(0);
    const dest = path.join(kit.scratch(), 'collected', 'not', 'yet', 'there');
    await within(60_000, running.collectArtifacts(dest), 'collectArtifacts');
    const expected: Record<string, Buffer> = {
      'top.txt': Buffer.from('top level artifact\n'),
      'sub/nested.txt': Buffer.from('nested artifact\n'),
      'sub/deeper/bytes.bin': Buffer.concat(Array.from({ length: 64 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i)))),
      'private.txt': Buffer.from('private artifact\n'),
    };
    expect(await listTree(dest)).toEqual(['private.txt', 'sub', 'sub/deeper', 'sub/deeper/bytes.bin', 'sub/nested.txt', 'top.txt']);
    for (const [file, content] of Object.entries(expected)) {
      const full = path.join(dest, file);
      expect((await readFile(full)).equals(content), `${file} has the contents written`).toBe(true);
      const st = await stat(full);
      // Owned by whoever runs flakehunt (never by a container uid), and readable by them even when written 0600.
      expect(st.uid, `${file} owner`).toBe(process.getuid!());
      expect(st.mode & 0o400, `${file} mode ${st.mode.toString(8)}`).not.toBe(0);
      await access(full, fsConstants.R_OK);
    }
    // More than once: the same dest again is fine, and the contents stay the same.
    await within(60_000, running.collectArtifacts(dest), 'second collectArtifacts');
    expect((await readFile(path.join(dest, 'sub/nested.txt'))).toString()).toBe('nested artifact\n');
  }, 90_000);
}
