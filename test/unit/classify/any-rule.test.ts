import { describe, expect, it } from 'vitest';

import { AnyRule, fromRarestStart, PREFILTER_MIN_LENGTH } from '../../../src/classify/any-rule.js';
import { lineGroups } from '../../../src/classify/rule-match.js';
import { taxonomy } from './helpers.js';

function rule(id: string, ...patterns: string[]): { regexes: RegExp[] } {
  return { regexes: patterns.map((p) => new RegExp(p)) };
}

/** What AnyRule replaced: the patterns as one regex, tried on every line. */
function combined(groups: Array<{ regexes: RegExp[] }>): RegExp {
  return new RegExp(groups.flatMap((g) => g.regexes.map((x) => `(?:${x.source})`)).join('|'));
}

/** The line groups of the bundled taxonomy (with the generic layer), as the classifier scans them. */
async function bundledGroups(): Promise<Array<{ regexes: RegExp[] }>> {
  return lineGroups((await taxonomy()).rules);
}

/** Long lines holding each sample somewhere (start, middle, end), and long lines holding nothing. */
function longLines(samples: string[]): string[] {
  const pad = 'x'.repeat(PREFILTER_MIN_LENGTH);
  const lines = samples.flatMap((s) => [s + pad, pad + s, `${pad}${s}${pad}`, `${pad}${s.slice(1)}`, `${s.slice(0, -1)} ${pad}`]);
  return [...lines, pad, pad.repeat(4)];
}

const SAMPLES = [
  '[flakehunt] HANG: no output for 300s',
  'E   Failed: Timeout (>90.0s) from pytest-timeout.',
  '++++++++++++++++++++++++++++++++++++ Timeout ++++++++++++++++++++++++++++++++++++',
  'Fatal Python error: Aborted',
  '[gw1] node down: Not properly terminated',
  "worker 'gw0' crashed while running 'tests/test_router.py::test_x'",
  "Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace",
  'error sending request for url (https://huggingface.co/api/models)',
  'huggingface_hub.errors.LocalEntryNotFoundError: cannot find',
  '429 Client Error: Too Many Requests for url',
  'E       AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events',
  'Router 1 has 12 events, Router 2 has 11 events',
];

describe('AnyRule', () => {
  it('derives a literal prefilter from the bundled taxonomy', async () => {
    expect(new AnyRule(await bundledGroups()).literals).toContain('Fatal Python error: ');
  });

  it('answers as the combined regex does, on short and long lines, with the bundled rules', async () => {
    const groups = await bundledGroups();
    const anyRule = new AnyRule(groups);
    const regex = combined(groups);
    const lines = [...SAMPLES, ...longLines(SAMPLES)];
    expect(lines.filter((line) => regex.test(line)).length).toBeGreaterThan(SAMPLES.length * 2);
    for (const line of lines) expect(anyRule.test(line), line.slice(0, 80)).toBe(regex.test(line));
  });

  it('runs the regex on every line when one pattern has no safe literal', () => {
    const anyRule = new AnyRule([rule('A', 'Timeout'), rule('B', '(?=\\d)\\d{3}ms')]);
    expect(anyRule.literals).toBeNull();
    const pad = 'y'.repeat(PREFILTER_MIN_LENGTH);
    expect(anyRule.test(`${pad} took 120ms`)).toBe(true);
    expect(anyRule.test(`${pad} took 12ms`)).toBe(false);
    expect(anyRule.test(`${pad} Timeout`)).toBe(true);
  });

  it('searches for each literal from its least common character on', () => {
    expect(fromRarestStart('error sending request for url (http')).toBe('(http');
    expect(fromRarestStart(' crashed while running')).toBe('crashed while running');
    expect(fromRarestStart('Failed: Timeout ')).toBe('Failed: Timeout ');
    expect(fromRarestStart('ab(c')).toBe('ab(c');
  });

  it('keeps only the shortest of nested literals, and matches nothing without rules', () => {
    expect(new AnyRule([rule('A', 'Router 1 has', 'Router')]).literals).toEqual(['Router']);
    expect(new AnyRule([]).test('anything')).toBe(false);
  });
});
