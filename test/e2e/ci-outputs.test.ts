import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { cli, requireDocker, suiteArgs, tempDir } from './helpers.js';

const hasDocker = await requireDocker();

describe.skipIf(!hasDocker)('what run hands to CI: --junit, $GITHUB_STEP_SUMMARY, --annotations github', () => {
  let logs: string;
  beforeAll(async () => {
    logs = await tempDir('flakehunt-ci-');
  });

  it('writes the JUnit file, appends the step summary and prints ::error lines for the failing tests', async () => {
    const stepSummary = path.join(logs, 'step-summary.md');
    await writeFile(stepSummary, '# earlier steps\n');
    const junit = path.join(logs, 'out', 'flakehunt.xml');
    const run = await cli(suiteArgs(logs, ['-s', '4', '-e', '5', '-t', 'ci', '--junit', junit, '--annotations', 'github']), { env: { GITHUB_STEP_SUMMARY: stepSummary } });
    expect(run.exitCode, run.all).toBe(1);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuite name="serial_ci@run004"');
    expect(xml).toMatch(/<testsuite name="serial_ci@run005"[^>]* failures="1"/);
    const summary = await readFile(stepSummary, 'utf8');
    expect(summary.startsWith('# earlier steps\n')).toBe(true);
    expect(summary).toMatch(/### flakehunt: `serial_ci`\n\n\*\*Failure rate 50\.0%\*\* \(1\/2 iterations\)/);
    expect(run.stdout).toMatch(/^::error file=test_known\.py,title=flaky test \(flakehunt serial_ci\)::test_known\.py::test_router_decisions failed in 1 of 2 iterations/m);
    expect(run.stdout).toContain(`JUnit XML: ${junit}`);
  }, 120_000);

  it('refuses an unknown annotation kind before it runs anything', async () => {
    const run = await cli(suiteArgs(logs, ['-e', '1', '-t', 'bad', '--annotations', 'gitlab']));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--annotations "gitlab": only github is known/);
  });
});
