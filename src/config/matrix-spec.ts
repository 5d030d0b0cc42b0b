import { UsageError } from '../core/errors.js';
import type { PerturbationSpec } from '../core/conditions.js';
import type { MatrixCell } from '../sweep/sweep-config.js';
import { parallelism } from './option-parsers.js';
import { combinePerturbations, formatPerturbation, parsePerturbation } from './perturbation-spec.js';

/** A matrix of more cells than this is refused: each cell needs iterations of its own to say anything. */
export const MAX_CELLS = 100;

const DIMENSION_NAME = /^[a-z][a-z0-9_-]{0,31}$/i;

interface Dimension {
  name: string;
  /** Canonical values: parallelism, or perturbations in their canonical text. */
  values: Array<{ text: string; parallelism?: string; perturbation?: PerturbationSpec }>;
}

function parseDimension(entry: string): Dimension {
  const eq = entry.indexOf('=');
  const name = eq === -1 ? '' : entry.slice(0, eq).trim();
  if (!DIMENSION_NAME.test(name)) {
    throw new UsageError(`--matrix ${JSON.stringify(entry)} is not NAME=VALUE,VALUE…: write it like --matrix parallelism=serial,4 or --matrix noise=none,cpu:0.3,stall:50ms`);
  }
  const raw = entry.slice(eq + 1).split(',').map((v) => v.trim());
  if (raw.some((v) => v === '')) throw new UsageError(`--matrix ${JSON.stringify(entry)} has an empty value: separate values with single commas`);
  const values = raw.map((text) => {
    if (name === 'parallelism') {
      const p = parallelism(text);
      return { text: p, parallelism: p };
    }
    const perturbation = parsePerturbation(text, `--matrix ${name}`);
    return { text: formatPerturbation(perturbation), perturbation };
  });
  const texts = values.map((v) => v.text);
  const repeated = texts.find((t, i) => texts.indexOf(t) !== i);
  if (repeated !== undefined) throw new UsageError(`--matrix ${name}: the value ${JSON.stringify(repeated)} is given twice`);
  return { name, values };
}

/**
 * The cells a sweep runs: the product of the `--matrix` dimensions in the order given (each cell
 * also gets the `--perturb` of every iteration), or the one cell of `base` without a matrix.
 */
export function cellsOf(matrix: string[], base: { parallelism: string; perturbation: PerturbationSpec }): MatrixCell[] {
  if (matrix.length === 0) {
    const text = formatPerturbation(base.perturbation);
    return [{ name: text, parallelism: base.parallelism, perturbation: base.perturbation, perturbationText: text }];
  }
  const dimensions = matrix.map(parseDimension);
  const names = dimensions.map((d) => d.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--matrix ${twice} is given twice: give each dimension once, with all its values`);
  const size = dimensions.reduce((product, d) => product * d.values.length, 1);
  if (size > MAX_CELLS) throw new UsageError(`--matrix spans ${size} cells, more than ${MAX_CELLS}: drop values or dimensions (each cell needs iterations of its own)`);
  let combos: Array<Array<Dimension['values'][number]>> = [[]];
  for (const dimension of dimensions) combos = combos.flatMap((combo) => dimension.values.map((value) => [...combo, value]));
  return combos.map((combo) => {
    const name = combo.map((value, i) => `${dimensions[i]!.name}=${value.text}`).join(' ');
    const perturbation = combinePerturbations([base.perturbation, ...combo.flatMap((v) => (v.perturbation ? [v.perturbation] : []))], () => JSON.stringify(name));
    return {
      name,
      parallelism: combo.find((v) => v.parallelism !== undefined)?.parallelism ?? base.parallelism,
      perturbation,
      perturbationText: formatPerturbation(perturbation),
    };
  });
}

/** Whether the matrix has a parallelism dimension (then -p may not be given as well). */
export function matrixSetsParallelism(matrix: string[]): boolean {
  return matrix.some((entry) => entry.trim().startsWith('parallelism='));
}
