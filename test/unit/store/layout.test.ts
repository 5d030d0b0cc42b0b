import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { UsageError } from '../../../src/core/errors.js';
import { parallelismOfFolderName, parseRunName, runName, SweepLayout, sweepFolderName } from '../../../src/store/layout.js';

describe('sweepFolderName', () => {
  it('names serial and xdist sweeps', () => {
    expect(sweepFolderName('serial', null)).toBe('serial');
    expect(sweepFolderName('4', null)).toBe('n4');
    expect(sweepFolderName('16', null)).toBe('n16');
  });

  it('appends a safe tag', () => {
    expect(sweepFolderName('serial', 'fix13')).toBe('serial_fix13');
    expect(sweepFolderName('4', 'v1.2-rc_3')).toBe('n4_v1.2-rc_3');
    expect(sweepFolderName('2', 'a'.repeat(64))).toBe(`n2_${'a'.repeat(64)}`);
  });

  it.each(['../x', 'a/b', '', '..', 'x..y', '.hidden', '-dash', 'a b', 'a\\b', 'a'.repeat(65), 'ü'])(
    'rejects the unsafe tag %j with a UsageError that says what is allowed',
    (tag) => {
      let caught: unknown;
      try {
        sweepFolderName('serial', tag);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UsageError);
      expect((caught as Error).message).toContain(JSON.stringify(tag));
      expect((caught as Error).message).toMatch(/letters, digits/);
    },
  );
});

describe('runName / parseRunName', () => {
  it('pads to three digits and grows past 999', () => {
    expect(runName(1)).toBe('run001');
    expect(runName(7)).toBe('run007');
    expect(runName(42)).toBe('run042');
    expect(runName(999)).toBe('run999');
    expect(runName(1000)).toBe('run1000');
    expect(runName(12345)).toBe('run12345');
  });

  it('parses what runName writes', () => {
    for (const n of [1, 7, 99, 100, 999, 1000, 1001, 20000]) expect(parseRunName(runName(n))).toBe(n);
    expect(parseRunName('run007')).toBe(7);
    expect(parseRunName('run1000')).toBe(1000);
  });

  it('returns null for anything else', () => {
    for (const name of ['run7', 'run07', 'run', 'runabc', 'xrun007', 'run007.log', 'run007/', 'RUN007', 'attempt-1', 'results.txt', '']) {
      expect(parseRunName(name)).toBeNull();
    }
  });
});

describe('SweepLayout', () => {
  it('puts every file under the sweep folder', () => {
    const layout = new SweepLayout('/logs/serial');
    expect(layout.resultsTxt).toBe(path.join('/logs/serial', 'results.txt'));
    expect(layout.runLog(7)).toBe(path.join('/logs/serial', 'run007', 'run.log'));
    expect(layout.resultJson(1000)).toBe(path.join('/logs/serial', 'run1000', 'result.json'));
    expect(layout.claimLock(3)).toBe(path.join('/logs/serial', '.claims', 'run003.lock'));
    expect(layout.claimInfo(3)).toBe(path.join('/logs/serial', '.claims', 'run003.json'));
    expect(layout.artifactsDir(12)).toBe(path.join('/logs/serial', 'run012', 'artifacts'));
  });
});

describe('parallelismOfFolderName', () => {
  it('reads the seed script\'s folder names, whatever their tag', () => {
    expect(['serial', 'serial_fix8', 'n4', 'n4_fix8', 'hunt', 'serialx'].map(parallelismOfFolderName)).toEqual(['serial', 'serial', '4', '4', null, null]);
  });
});
