import type { SweepInfo } from './summary-types.js';

/** One way two sweeps differ: the change under test, one that changes what the rates mean, or a plain setting. */
export interface SweepDifference {
  what: string;
  a: string;
  b: string;
  kind: 'under-test' | 'changes-meaning';
}

const shown = (value: unknown): string => (value === undefined || value === null ? '(none)' : Array.isArray(value) ? (value.length === 0 ? '(none)' : value.join(' ')) : String(value));

/**
 * How two sweeps differ, from their sweep.json: the image (name or id) and the bind mounts (the
 * suite they bring in) are the difference under test; other tests, another parallelism, command, pytest arguments, perturbation or taxonomy
 * change what the rates mean, and the comparison says so.
 */
export function sweepDifferences(a: SweepInfo, b: SweepInfo): SweepDifference[] {
  const differences: SweepDifference[] = [];
  const check = (what: string, x: unknown, y: unknown, kind: SweepDifference['kind']) => {
    if (JSON.stringify(x ?? null) !== JSON.stringify(y ?? null)) differences.push({ what, a: shown(x), b: shown(y), kind });
  };
  // The same image id is the same image, whatever name each sweep gave it (a replay records the id).
  const sameImage = a.imageId && b.imageId ? a.imageId === b.imageId : a.image === b.image;
  if (!sameImage) {
    if (a.image !== b.image) check('image', a.image, b.image, 'under-test');
    else check('image id', a.imageId?.slice(0, 19), b.imageId?.slice(0, 19), 'under-test');
  }
  check('mounts', a.mounts ?? [], b.mounts ?? [], 'under-test');
  check('workdir', a.workdir, b.workdir, 'changes-meaning');
  check('tests (node ids)', [...a.nodeids].sort(), [...b.nodeids].sort(), 'changes-meaning');
  check('command', a.command, b.command, 'changes-meaning');
  check('pytest args', a.pytestArgs, b.pytestArgs, 'changes-meaning');
  check('parallelism', a.parallelism, b.parallelism, 'changes-meaning');
  check('perturbation', a.perturbation, b.perturbation, 'changes-meaning');
  check('matrix', a.matrix, b.matrix, 'changes-meaning');
  check('taxonomy', a.taxonomy, b.taxonomy, 'changes-meaning');
  return differences;
}

/** The warnings a comparison prints for differences that change what its rates mean. */
export function comparabilityWarnings(differences: SweepDifference[]): string[] {
  return differences
    .filter((d) => d.kind === 'changes-meaning')
    .map((d) => (d.what === 'tests (node ids)'
      ? `they ran different tests (a: ${d.a}; b: ${d.b}): the rates are of different things`
      : `different ${d.what} (a: ${d.a}; b: ${d.b}): the rates may differ because of it, not of the change under test`));
}
