import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { requiredLiterals } from '../../../src/classify/required-literals.js';
import { taxonomy } from './helpers.js';

const CORPUS = path.resolve('test/fixtures/corpus');

/** Whether every string the regex matches contains one of the literals (null: nothing claimed). */
function holds(regex: RegExp, literals: string[] | null, candidates: Iterable<string>): string | null {
  if (literals === null) return null;
  for (const text of candidates) {
    if (regex.test(text) && !literals.some((literal) => text.includes(literal))) return text;
  }
  return null;
}

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random regex source over the letters a, b and c, with the syntax the parser has to get right. */
function randomSource(next: () => number, depth = 0): string {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const atom = (): string => {
    const kind = next();
    if (kind < 0.45) return pick(['a', 'b', 'c']);
    if (kind < 0.55) return pick(['[ab]', '[^a]', '.', '\\w', '[\\]a]']);
    if (kind < 0.62) return pick(['^', '$', '\\b']);
    if (depth < 2 && kind < 0.85) return `(${pick(['', '?:', '?<n' + depth + '>'])}${randomSource(next, depth + 1)})`;
    return pick(['a{2}', 'b{1,2}', 'c{0,}', '{', 'a{,2}']);
  };
  const sequence = (): string => {
    let text = '';
    for (let n = Math.floor(next() * 5); n >= 0; n -= 1) text += atom() + (next() < 0.3 ? pick(['*', '+', '?', '{2}', '{1,3}', '+?']) : '');
    return text;
  };
  return next() < 0.25 ? `${sequence()}|${sequence()}` : sequence();
}

/** Every string of up to `length` characters from the alphabet. */
function allStrings(alphabet: string, length: number): string[] {
  const out = [''];
  for (let i = 0; i < out.length && out[i]!.length < length; i += 1) for (const c of alphabet) out.push(out[i]! + c);
  return out;
}

describe('requiredLiterals', () => {
  it('finds a literal for every pattern of the bundled taxonomy, present in every corpus line it matches', async () => {
    const lines = readdirSync(CORPUS)
      .filter((name) => statSync(path.join(CORPUS, name)).isDirectory())
      .flatMap((name) => readFileSync(path.join(CORPUS, name, 'run.log'), 'utf8').split('\n'));
    let matched = 0;
    for (const rule of (await taxonomy()).rules) {
      for (const regex of rule.regexes) {
        const literals = requiredLiterals(regex);
        expect(literals, regex.source).not.toBeNull();
        expect(Math.min(...literals!.map((l) => l.length)), regex.source).toBeGreaterThanOrEqual(5);
        expect(holds(regex, literals, lines), regex.source).toBeNull();
        matched += lines.filter((line) => regex.test(line)).length;
      }
    }
    expect(matched).toBeGreaterThan(20);
  });

  it.each([
    ['^\\[flakehunt\\] (?:HANG|TIMEOUT):', ['[flakehunt] ']],
    ['^\\+{5,} Timeout \\+{5,}$', ['+++++ Timeout +++++']],
    ['(?:huggingface_hub\\.errors\\.|requests\\.exceptions\\.)(?:ConnectionError|ReadTimeout)', ['huggingface_hub.errors.', 'requests.exceptions.']],
    ['Router 1 has \\d+ events, Router 2 has \\d+ events', [' events, Router 2 has ']],
    ['colou?r', ['colo']],
    ['(?:optional )?required', ['required']],
    ['abc|de', ['abc', 'de']],
    ['x(?:abcd|efgh)+y', ['abcd', 'efgh']],
    ['[Tt]imeout', ['imeout']],
    ['a[\\]b]cd', ['cd']],
    ['a{3}b', ['aaab']],
    ['a{1000}b', [`${'a'.repeat(64)}b`]],
    ['x{2,}yz', ['xxyz']],
    ['a{,2}', ['a{,2}']],
    ['(?<word>hello) world', [' world']],
    ['tab\\there', ['tab\there']],
  ])('%s needs one of %j', (source, literals) => {
    expect(requiredLiterals(new RegExp(source))).toEqual(literals);
  });

  it.each([
    ['anything|', 'an empty alternative matches every line'],
    ['abc|.*', 'one alternative needs no literal'],
    ['(?:abc)?', 'an optional group'],
    ['a*b?', 'single characters that may be absent'],
    ['(?=abc)', 'lookahead'],
    ['(?<!x)abc', 'lookbehind'],
    ['(a)\\1', 'back-reference'],
    ['\\x41BC', 'hex escape'],
    ['\\u0041BC', 'unicode escape'],
    ['\\cJabc', 'control escape'],
  ])('%s: no literal (%s)', (source) => {
    expect(requiredLiterals(new RegExp(source))).toBeNull();
  });

  it('gives none for case-insensitive or unicode regexes', () => {
    expect(requiredLiterals(/Timeout/i)).toBeNull();
    expect(requiredLiterals(/Timeout/u)).toBeNull();
    expect(requiredLiterals(/Timeout/)).toEqual(['Timeout']);
  });

  it('never names a literal that a matching string lacks (random regexes, every short string)', () => {
    const next = random(20261124);
    const strings = allStrings('abc{,}2', 5);
    let claimed = 0;
    for (let n = 0; n < 1500; n += 1) {
      const source = randomSource(next);
      let regex: RegExp;
      try {
        regex = new RegExp(source);
      } catch {
        continue;
      }
      const literals = requiredLiterals(regex);
      if (literals !== null) claimed += 1;
      expect(holds(regex, literals, strings), `${source} → ${JSON.stringify(literals)}`).toBeNull();
    }
    expect(claimed).toBeGreaterThan(300);
  });
});
