import { describe, expect, it } from 'vitest';

import { cellsOf, MAX_CELLS } from '../../../src/config/matrix-spec.js';
import { formatPerturbation, parsePerturbation } from '../../../src/config/perturbation-spec.js';
import { UsageError } from '../../../src/core/errors.js';

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parsePerturbation', () => {
  it.each([
    ['none', {}],
    ['', {}],
    ['cpu:0.3', { cpus: { min: 0.3, max: 0.3 } }],
    ['cpu:0.2-0.5', { cpus: { min: 0.2, max: 0.5 } }],
    ['hog:2', { cpuHogs: 2 }],
    ['io:1', { ioHogs: 1 }],
    ['stall:50ms', { stalls: { minMs: 50, maxMs: 50, everyMs: 1000 } }],
    ['stall:20ms-200ms@2s', { stalls: { minMs: 20, maxMs: 200, everyMs: 2000 } }],
    ['mem:256m', { memoryBytes: 256 * 1024 * 1024 }],
    ['delay:50ms~20ms', { net: { delayMs: 50, jitterMs: 20, lossPercent: 0 } }],
    ['loss:2.5%', { net: { delayMs: 0, jitterMs: 0, lossPercent: 2.5 } }],
    ['delay:10ms+loss:1%', { net: { delayMs: 10, jitterMs: 0, lossPercent: 1 } }],
    ['shuffle', { order: 'shuffle' }],
    ['reverse+cpu:0.5', { order: 'reverse', cpus: { min: 0.5, max: 0.5 } }],
  ])('%j', (text, spec) => {
    expect(parsePerturbation(text)).toEqual(spec);
  });

  it.each(['cpu:0.3+stall:50ms-1s@2s+hog:1+mem:1g+io:3+delay:5ms~1ms+loss:1%+shuffle', 'none', 'cpu:0.2-0.5', 'mem:1536m'])('formats %j back to what parses the same', (text) => {
    const spec = parsePerturbation(text);
    expect(parsePerturbation(formatPerturbation(spec))).toEqual(spec);
  });

  it('writes items in one canonical order, so the same perturbation has one name', () => {
    expect(formatPerturbation(parsePerturbation('shuffle+cpu:0.3'))).toBe(formatPerturbation(parsePerturbation('cpu:0.3+shuffle')));
    expect(formatPerturbation(parsePerturbation('mem:268435456'))).toBe('mem:256m');
  });

  it.each([
    ['cpu:', 'is not a CPU quota'],
    ['cpu:0', 'is not a CPU quota'],
    ['cpu:0.5-0.2', 'is not a CPU quota'],
    ['hog:0', 'needs a number of hogs'],
    ['stall:fast', 'is not a stall'],
    ['stall:50ms@0', 'is not a stall'],
    ['mem:1k', 'is below the 4 MiB'],
    ['loss:100%', 'is not a loss'],
    ['delay:0', 'is not a delay'],
    ['warp:9', 'is not a perturbation flakehunt knows'],
    ['cpu:0.3+cpu:0.5', 'sets the same thing as an earlier item'],
    ['shuffle+reverse', 'sets the same thing as an earlier item'],
  ])('%j is refused, naming the item and the forms that work', (text, why) => {
    const message = usage(() => parsePerturbation(text));
    expect(message).toContain(why);
    expect(message).toContain('--perturb');
    expect(message).toContain('cpu:0.3');
  });
});

describe('cellsOf', () => {
  const base = { parallelism: 'serial', perturbation: {} };

  it('without a matrix: one cell named by its perturbation', () => {
    expect(cellsOf([], { parallelism: '4', perturbation: parsePerturbation('cpu:0.3') })).toEqual([
      { name: 'cpu:0.3', parallelism: '4', perturbation: { cpus: { min: 0.3, max: 0.3 } }, perturbationText: 'cpu:0.3' },
    ]);
  });

  it('the product of the dimensions, in the order given, each cell with the common --perturb', () => {
    const cells = cellsOf(['parallelism=serial,4', 'noise=none,stall:50ms'], { parallelism: 'serial', perturbation: parsePerturbation('shuffle') });
    expect(cells.map((c) => [c.name, c.parallelism, c.perturbationText])).toEqual([
      ['parallelism=serial noise=none', 'serial', 'shuffle'],
      ['parallelism=serial noise=stall:50ms', 'serial', 'stall:50ms+shuffle'],
      ['parallelism=4 noise=none', '4', 'shuffle'],
      ['parallelism=4 noise=stall:50ms', '4', 'stall:50ms+shuffle'],
    ]);
  });

  it.each([
    [['noise'], 'is not NAME=VALUE'],
    [['noise=none,,cpu:0.3'], 'has an empty value'],
    [['noise=cpu:0.3,cpu:0.3'], 'is given twice'],
    [['a=none', 'a=cpu:0.3'], 'is given twice: give each dimension once'],
    [['parallelism=0'], '--parallelism "0"'],
    [['a=cpu:0.3', 'b=cpu:0.5'], 'sets cpus twice'],
    [['a=hog:1,hog:2,hog:3,hog:4,hog:5', 'b=io:1,io:2,io:3,io:4,io:5', 'c=stall:1ms,stall:2ms,stall:3ms,stall:4ms,stall:5ms'], `more than ${MAX_CELLS}`],
  ])('%j is refused', (matrix, why) => {
    expect(usage(() => cellsOf(matrix, base))).toContain(why);
  });
});
