/**
 * Taxonomy patterns run on every line of every log, so none may backtrack for ever (`^(a+)+$`
 * on forty `a`s and a `!` would hang a sweep). V8 can fall back to its linear-time engine when a
 * match backtracks too much, but only for patterns that engine can run: so the fallback is
 * switched on here, before any taxonomy pattern is compiled, and a pattern it cannot run
 * (lookarounds, back-references, counted repetitions above 16, flags such as `i`) is refused
 * when the taxonomy is loaded. V8 flags are per process: worker threads share them.
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
// Only makes the `l` flag available: the check below compiles each pattern once with it.
v8.setFlagsFromString('--enable-experimental-regexp-engine');

/** Why the linear-time engine cannot run a (valid) pattern, as well as can be told from its source. */
function reasonFor(source: string): string {
  if (/\(\?<?[=!]/.test(source)) return 'it has a lookaround ((?=, (?!, (?<=, (?<!)';
  if (/\\[1-9]|\\k</.test(source)) return 'it has a back-reference (\\1, \\k<name>)';
  const counted = /\{(\d+)(?:,(\d*))?\}/g;
  for (let m = counted.exec(source); m !== null; m = counted.exec(source)) {
    if (Number(m[1]) > 16 || (m[2] !== undefined && m[2] !== '' && Number(m[2]) > 16)) return `it repeats ${m[0]} times (at most 16 are allowed: use + or *)`;
  }
  return 'it uses a construct only the backtracking engine supports';
}

/**
 * Compiles a pattern that is guaranteed to run in linear time (no flags); throws an Error whose
 * message says why not.
 */
export function compileLinear(source: string): RegExp {
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    throw new Error(`does not compile: ${(error as Error).message}`);
  }
  try {
    new RegExp(source, 'l');
  } catch {
    throw new Error(`cannot be matched in linear time, so a long line could make it run for ever: ${reasonFor(source)}`);
  }
  return regex;
}
