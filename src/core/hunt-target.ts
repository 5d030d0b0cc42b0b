import { isVerdict, type IterationResult } from './result.js';

/** Which failures count as the hunted flake: any, a class, or one of some signatures. */
export type HuntTarget =
  | { kind: 'any' }
  | { kind: 'class'; id: string }
  | { kind: 'signature'; ids: string[]; from: string };

/** Whether a result shows the hunted failure. */
export function hitsTarget(result: IterationResult, target: HuntTarget): boolean {
  if (result.status !== 'failed') return false;
  if (target.kind === 'any') return true;
  if (target.kind === 'class') return result.classes.includes(target.id) || result.failures.some((f) => f.class === target.id);
  return result.failures.some((f) => f.signature !== undefined && target.ids.includes(f.signature));
}

/** The target in words: `any failure`, `class A1`, `signature 3f2a… (from logs/x/run007)`. */
export function describeTarget(target: HuntTarget): string {
  if (target.kind === 'any') return 'any failure';
  if (target.kind === 'class') return `class ${target.id}`;
  return `${target.ids.length === 1 ? 'signature' : 'signatures'} ${target.ids.join(', ')} (from ${target.from})`;
}

/** Per cell: iterations with a verdict, and how many of them showed the target. */
export function tallyByCell(cells: string[], results: IterationResult[], target: HuntTarget): Map<string, { runs: number; hits: number }> {
  const tallies = new Map(cells.map((cell) => [cell, { runs: 0, hits: 0 }]));
  for (const result of results) {
    const cell = result.conditions?.cell;
    const tally = cell === undefined || cell === null ? undefined : tallies.get(cell);
    if (tally === undefined || !isVerdict(result)) continue;
    tally.runs += 1;
    if (hitsTarget(result, target)) tally.hits += 1;
  }
  return tallies;
}
