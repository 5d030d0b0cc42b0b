/**
 * What a pattern costs on the longest lines a log can give it (LineSplitter keeps 16 KiB of a
 * line). The linear-time guarantee (linear-regex.ts) bounds the growth, not the constant: eight
 * counted repetitions in a row can cost a thousand times a plain pattern on every character, and
 * at that price classification of a chatty suite outlives the iteration's --timeout. A pattern
 * whose cheapest of three runs on any probe line goes over the budget is refused at load.
 */

/** Milliseconds a pattern may take on one 16 KiB probe line: ordinary patterns take 0.01–0.1 ms. */
export const PATTERN_BUDGET_MS = 5;

const LINE_CHARS = 16 * 1024;

function repeatTo(unit: string): string {
  return unit.repeat(Math.ceil(LINE_CHARS / unit.length)).slice(0, LINE_CHARS);
}

/** Lines that make backtracking patterns work hardest: long runs of one class of character, each ending in a mismatch. */
const PROBES: string[] = [
  `${repeatTo('a')}!`,
  `${repeatTo('ab1 ')}!`,
  `${repeatTo('0')}x`,
  `${repeatTo(' ')}x`,
  `${repeatTo('aB3_./:-')}\u0000`,
  repeatTo('2026-05-12 05:30:01.002 INFO     dynamo.router.kv_router:router.py:88 waiting for 2 workers to register '),
];

/** The slowest probe's cheapest time of three, in milliseconds. */
export function patternCostMs(regex: RegExp): number {
  let worst = 0;
  for (const probe of PROBES) {
    let best = Infinity;
    for (let run = 0; run < 3 && best > PATTERN_BUDGET_MS / 10; run += 1) {
      const t0 = performance.now();
      regex.test(probe);
      best = Math.min(best, performance.now() - t0);
    }
    worst = Math.max(worst, best);
    if (worst > PATTERN_BUDGET_MS) break;
  }
  return worst;
}
