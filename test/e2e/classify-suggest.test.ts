import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { DEFAULT_TAXONOMY } from '../../src/classify/taxonomy-loader.js';
import { cli, ROOT, tempDir } from './helpers.js';

const LOG = path.join(ROOT, 'test/fixtures/corpus/unclassified-serial/run.log');

describe('flakehunt classify --suggest', () => {
  it('suggests a rule for what no rule matched; pasted into a taxonomy, it classifies it on the next pass', async () => {
    const sweep = path.join(await tempDir('flakehunt-suggest-'), 'serial_mine');
    for (const run of ['run001', 'run002']) {
      await mkdir(path.join(sweep, run), { recursive: true });
      await copyFile(LOG, path.join(sweep, run, 'pytest.log'));
      await writeFile(path.join(sweep, run, '.exit_code'), '1\n');
    }
    const first = await cli(['classify', sweep, '--suggest', '--json']);
    expect(first.exitCode, first.all).toBe(0);
    const { suggestions } = JSON.parse(first.stdout) as { suggestions: Array<{ iterations: number; tests: string[]; rule: { id: string } }> };
    expect(suggestions).toHaveLength(1);
    expect(suggestions[0]).toMatchObject({ iterations: 2, tests: ['test_unclassified.py::test_plain_failure'] });
    const taxonomy = JSON.parse(await readFile(DEFAULT_TAXONOMY, 'utf8')) as { rules: unknown[] };
    taxonomy.rules.push(suggestions[0]!.rule);
    const mine = path.join(path.dirname(sweep), 'mine.json');
    await writeFile(mine, JSON.stringify(taxonomy));
    const second = await cli(['classify', sweep, '--taxonomy', mine, '--suggest']);
    expect(second.exitCode, second.all).toBe(0);
    expect(second.stdout).toContain(`run001: UNCLASSIFIED → ${suggestions[0]!.rule.id}`);
    expect(second.stdout).toMatch(/Every failure of the 2 iterations matched a rule: nothing to suggest\./);
  });
});
