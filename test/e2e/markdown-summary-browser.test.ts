import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { execa } from 'execa';
import { marked } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { renderMarkdownSummary } from '../../src/report/markdown/sweep-markdown.js';
import { buildReportInput } from '../unit/report/html-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AVAILABLE = existsSync(CHROMIUM);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Roughly GitHub's look for tables and code, so the screenshot reads like a step summary. */
const STYLE = `body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d1d9e0;padding:6px 13px}tr:nth-child(2n){background:#f6f8fa}
code{background:#eff1f3;border-radius:6px;padding:.2em .4em;font-size:85%}`;

let root = '';
let page = '';

async function chromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(root, 'profile-'));
  const { stdout } = await execa(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args, pathToFileURL(page).href], { timeout: 90_000, stdin: 'ignore' });
  return stdout;
}

// Skipped without Chromium on a developer machine, failed on CI (which installs it).
describe.skipIf(!AVAILABLE && !process.env.CI)('Markdown step summary rendered as GitHub would, in headless Chromium', () => {
  beforeAll(async () => {
    if (!AVAILABLE) throw new Error(`headless Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    root = await mkdtemp(path.join(tmpdir(), 'flakehunt-md-'));
    const [base] = buildReportInput(root).summaries;
    const markdown = renderMarkdownSummary(base!, {
      changePoint: { iteration: 41, before: { failed: 10, total: 40 }, after: { failed: 3, total: 10 }, pValue: 0.41, newSignatures: ['a1f00d'] },
    });
    // GitHub renders step summaries as GFM: tables, and autolinks for bare URLs and www. names.
    const html = await marked.parse(markdown, { gfm: true });
    page = path.join(root, 'summary.html');
    await writeFile(page, `<!doctype html><meta charset="utf-8"><title>step summary</title><style>${STYLE}</style>\n${html}`);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('has the headline, both tables with a row each per class and failing test, and nothing live', async () => {
    const dom = await chromium(['--dump-dom']);
    expect(dom).toMatch(/<h3>flakehunt: <code>serial_base<\/code><\/h3>/);
    expect(dom).toContain('<strong>Failure rate 26.0%</strong> (13/50 iterations), 95% CI 15.9–39.6%.');
    expect(dom).toContain('<strong>Change point:</strong> the failure rate changed at run041');
    const tables = dom.split('<table>').slice(1).map((t) => t.slice(0, t.indexOf('</table>')));
    expect(tables).toHaveLength(2);
    const rows = (table: string) => [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...(m[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]));
    const classes = rows(tables[0]!);
    expect(classes[0]).toEqual(['Class', 'Title', 'Kind', 'Iterations', 'Rate', '95% CI']);
    expect(classes.slice(1).map((r) => r[0])).toEqual(['<code>A1</code>', '<code>A2</code>', '<code>A3</code>', '<code>A5</code>', '<code>UNCLASSIFIED</code>']);
    const tests = rows(tables[1]!);
    expect(tests).toHaveLength(4);
    expect(tests.map((r) => r.length)).toEqual([6, 6, 6, 6]);
    // The <script> in a node id and the quotes and & of a message arrive as text, in code.
    expect(tests[3]![0]).toBe('<code>tests/test_param.py::test_weird[&lt;script&gt;alert("x")&lt;/script&gt;]</code>');
    expect(tests[3]![5]).toBe('<code>ValueError: got \'&lt;b&gt;\' &amp; "quoted" instead</code>');
    expect(dom).not.toMatch(/<script|<a[\s>]/i);
  });

  it('renders to a screenshot', async () => {
    const png = path.join(root, 'summary.png');
    await chromium([`--screenshot=${png}`, '--window-size=1280,900', '--hide-scrollbars']);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 900]);
    expect(bytes.length).toBeGreaterThan(20_000);
    if (process.env.FLAKEHUNT_KEEP_SCREENSHOT) await writeFile(process.env.FLAKEHUNT_KEEP_SCREENSHOT, bytes);
  });
});
