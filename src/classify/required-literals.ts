/**
 * Literal text a regular expression cannot match without: strings of which every match contains
 * at least one. Derived from the pattern's source; anything this parser does not fully understand
 * (lookarounds, back-references, `\x`/`\u`/`\c` escapes, the `i`, `u` and `v` flags) gives null,
 * meaning "nothing is known", never a wrong answer.
 */

/** Some of these strings occurs in every match; null: nothing known. */
type Needs = string[] | null;

type Atom = { kind: 'char'; char: string } | { kind: 'group'; needs: Needs } | { kind: 'assertion' } | { kind: 'other' };

/** Caps `a{1000}` at this many copies of `a` in a literal. */
const MAX_REPEAT = 64;
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
const QUANTIFIER_BRACES = /^\{(\d+)(,(\d*))?\}/;

class Unsupported extends Error {}

/** The literals one of which every match of `regex` contains, or null when they cannot be derived safely. */
export function requiredLiterals(regex: RegExp): string[] | null {
  if (/[iuv]/.test(regex.flags)) return null;
  try {
    return new SourceParser(regex.source).parse();
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/** The length of the shortest string: how selective a set of literals is. */
export function shortest(literals: string[]): number {
  return Math.min(...literals.map((literal) => literal.length));
}

/** Parses a source as a RegExp without the `u` flag does (Annex B syntax), keeping only what it must contain. */
class SourceParser {
  private at = 0;

  constructor(private readonly source: string) {}

  parse(): Needs {
    const needs = this.disjunction();
    if (this.at !== this.source.length) throw new Unsupported();
    return needs;
  }

  /** `a|b|c`: a match contains what one of the branches needs. */
  private disjunction(): Needs {
    const branches = [this.alternative()];
    while (this.source[this.at] === '|') {
      this.at += 1;
      branches.push(this.alternative());
    }
    if (branches.some((branch) => branch === null)) return null;
    return [...new Set(branches.flatMap((branch) => branch!))];
  }

  /** A sequence of atoms: runs of adjacent literal characters and required groups are candidates; the most selective wins. */
  private alternative(): Needs {
    let best: Needs = null;
    let run = '';
    const consider = (candidate: Needs): void => {
      if (candidate !== null && (best === null || shortest(candidate) > shortest(best))) best = candidate;
    };
    const endRun = (): void => {
      if (run.length > 0) consider([run]);
      run = '';
    };
    while (this.at < this.source.length && this.source[this.at] !== '|' && this.source[this.at] !== ')') {
      const atom = this.atom();
      const { min, max } = this.quantifier() ?? { min: 1, max: 1 };
      if (atom.kind === 'char') {
        const copies = Math.min(min, MAX_REPEAT);
        run += atom.char.repeat(copies);
        if (copies !== min || max !== min) {
          // What follows comes right after the last repetitions, if there are any.
          endRun();
          run = atom.char.repeat(copies);
        }
        continue;
      }
      endRun();
      if (atom.kind === 'group' && min > 0) consider(atom.needs);
    }
    endRun();
    return best;
  }

  private atom(): Atom {
    const c = this.source[this.at]!;
    this.at += 1;
    switch (c) {
      case '\\':
        return this.escape();
      case '[':
        this.skipClass();
        return { kind: 'other' };
      case '(':
        return this.group();
      case '.':
        return { kind: 'other' };
      case '^':
      case '$':
        return { kind: 'assertion' };
      case '*':
      case '+':
      case '?':
        throw new Unsupported();
      case '{':
        if (QUANTIFIER_BRACES.test(this.source.slice(this.at - 1))) throw new Unsupported();
        return { kind: 'char', char: c };
      default:
        return { kind: 'char', char: c };
    }
  }

  private escape(): Atom {
    const c = this.source[this.at];
    if (c === undefined) throw new Unsupported();
    this.at += 1;
    if ('dDwWsS'.includes(c)) return { kind: 'other' };
    if (c === 'b' || c === 'B') return { kind: 'assertion' };
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return { kind: 'char', char: control };
    // Digits (back-references, octal), \x, \u, \c, \k, \p and the rest: not worth the risk.
    if (/[A-Za-z0-9]/.test(c)) throw new Unsupported();
    return { kind: 'char', char: c };
  }

  /** Skips a character class up to its closing `]` (the first unescaped one, as in JavaScript). */
  private skipClass(): void {
    while (this.at < this.source.length) {
      const c = this.source[this.at]!;
      this.at += c === '\\' ? 2 : 1;
      if (c === ']') return;
    }
    throw new Unsupported();
  }

  private group(): Atom {
    if (this.source[this.at] === '?') {
      const named = /^\?<[A-Za-z_$][\w$]*>/.exec(this.source.slice(this.at));
      if (this.source[this.at + 1] === ':') this.at += 2;
      else if (named) this.at += named[0].length;
      else throw new Unsupported(); // lookarounds and anything newer
    }
    const needs = this.disjunction();
    if (this.source[this.at] !== ')') throw new Unsupported();
    this.at += 1;
    return { kind: 'group', needs };
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.source[this.at];
    let bounds: { min: number; max: number } | null = null;
    if (c === '*') bounds = { min: 0, max: Infinity };
    else if (c === '+') bounds = { min: 1, max: Infinity };
    else if (c === '?') bounds = { min: 0, max: 1 };
    if (bounds !== null) {
      this.at += 1;
    } else if (c === '{') {
      const m = QUANTIFIER_BRACES.exec(this.source.slice(this.at));
      if (!m) return null;
      this.at += m[0].length;
      const min = Number(m[1]);
      bounds = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
    } else {
      return null;
    }
    if (this.source[this.at] === '?') this.at += 1; // lazy: the same strings match
    return bounds;
  }
}
