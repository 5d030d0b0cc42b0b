import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { renderHtmlReport } from '../../src/report/html/render-report.js';
import { buildReportInput } from '../unit/report/html-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AVAILABLE = existsSync(CHROMIUM);
const MISSING = `headless Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`;
/** Flags for a quiet, offline, throwaway browser. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let root = '';
let reportFile = '';

/** Runs Chromium on the report with a fresh profile; returns its stdout. */
async function chromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(root, 'profile-'));
  const { stdout } = await execa(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args, pathToFileURL(reportFile).href], {
    timeout: 90_000,
    stdin: 'ignore',
  });
  return stdout;
}

// Without Chromium the tests are skipped on a developer machine, but fail on CI (it must install it).
describe.skipIf(!AVAILABLE && !process.env.CI)('HTML report in headless Chromium', () => {
  beforeAll(async () => {
    if (!AVAILABLE) throw new Error(MISSING);
    root = await mkdtemp(path.join(tmpdir(), 'flakehunt-html-'));
    const sweepsDir = path.join(root, 'sweeps');
    const reportDir = path.join(root, 'reports');
    await mkdir(reportDir, { recursive: true });
    const input = buildReportInput(reportDir, sweepsDir);
    for (const s of input.summaries) {
      for (const r of s.results) {
        const runDir = path.join(s.info.dir, `run${String(r.iteration).padStart(3, '0')}`);
        await mkdir(runDir, { recursive: true });
        await writeFile(path.join(runDir, 'run.log'), `log of iteration ${r.iteration}\n`);
      }
    }
    reportFile = path.join(reportDir, 'report.html');
    await writeFile(reportFile, renderHtmlReport(input));
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('loads in Chromium with every section and 50 + 50 iteration cells', async () => {
    const dom = await chromium(['--dump-dom']);
    expect(dom).toContain('flakehunt');
    for (const i of [1, 2]) {
      for (const name of ['sweep-header', 'outcome-strip', 'rates', 'class-test-matrix', 'durations', 'failing-runs']) {
        expect(dom, name).toMatch(new RegExp(`id="${name}-${i}"[^>]*data-testid="${name}"`));
      }
    }
    expect(dom).toContain('id="comparison"');
    const sweeps = dom.split('data-testid="sweep"').slice(1);
    expect(sweeps).toHaveLength(2);
    expect(sweeps.map((s) => s.match(/data-testid="iteration-cell"/g)?.length ?? 0)).toEqual([50, 50]);
    // The <script> in a test id arrived as text, not as an element.
    expect(dom).not.toMatch(/<script/i);
    expect(dom.replaceAll('<wbr>', '')).toContain('test_weird[&lt;script&gt;alert("x")&lt;/script&gt;]');
    // Every log link of a failing run leads to a file that exists.
    const hrefs = [...dom.matchAll(/href="([^"#][^"]*)"/g)].map((m) => m[1] ?? '');
    expect(hrefs.length).toBeGreaterThanOrEqual(13);
    for (const href of hrefs) {
      expect(href).not.toMatch(/^[a-z]+:/i);
      expect(existsSync(fileURLToPath(new URL(href, pathToFileURL(reportFile)))), href).toBe(true);
    }
  });

  it('renders to a screenshot', async () => {
    const png = path.join(root, 'report.png');
    await chromium([`--screenshot=${png}`, '--window-size=1280,2000', '--hide-scrollbars']);
    const size = (await stat(png)).size;
    expect(size).toBeGreaterThan(20_000);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 2000]);
  });
});
