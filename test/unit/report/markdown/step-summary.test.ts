import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { appendStepSummary } from '../../../../src/report/markdown/step-summary.js';

describe('appendStepSummary', () => {
  let root = '';
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('appends to the file GITHUB_STEP_SUMMARY names, a blank line after each summary', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'flakehunt-summary-'));
    const file = path.join(root, 'step_summary');
    await writeFile(file, 'earlier step\n');
    expect(await appendStepSummary('### one\n', { GITHUB_STEP_SUMMARY: file })).toBe(true);
    expect(await appendStepSummary('### two', { GITHUB_STEP_SUMMARY: file })).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('earlier step\n### one\n\n### two\n\n');
  });

  it('does nothing outside GitHub Actions', async () => {
    expect(await appendStepSummary('### x\n', {})).toBe(false);
    expect(await appendStepSummary('### x\n', { GITHUB_STEP_SUMMARY: '' })).toBe(false);
  });
});
