import { describe, expect, it } from 'vitest';

import { unknownOptionHint, withUnknownOptionHint } from '../../../src/cli/unknown-option-hint.js';

describe("the hint for pytest's options given to run or hunt", () => {
  it("xdist's worker count: flakehunt's --parallelism, in either spelling", () => {
    for (const option of ['-n', '--numprocesses', '--numprocesses=4']) {
      expect(unknownOptionHint(option), option).toBe("for pytest-xdist's -n N, use -p N (--parallelism N)");
    }
  });

  it('pytest options go in --pytest-args, with a placeholder where the option takes a value and none is given', () => {
    expect(unknownOptionHint('-k')).toBe("to pass pytest's own -k, put it in --pytest-args (e.g. --pytest-args '-k <value>')");
    expect(unknownOptionHint('--tb=short')).toBe("to pass pytest's own --tb, put it in --pytest-args (e.g. --pytest-args '--tb=short')");
    expect(unknownOptionHint('-x')).toBe("to pass pytest's own -x, put it in --pytest-args (e.g. --pytest-args '-x')");
    expect(unknownOptionHint('--lf')).toBe("to pass pytest's own --lf, put it in --pytest-args (e.g. --pytest-args '--lf')");
  });

  it('nothing for options pytest does not have either, nor for look-alikes', () => {
    for (const option of ['--jbos', '-z', '--tbx', '--lfx', '-nx']) expect(unknownOptionHint(option), option).toBeNull();
  });

  it("is added to commander's message about an unknown option only", () => {
    expect(withUnknownOptionHint("unknown option '-n'")).toBe("unknown option '-n': for pytest-xdist's -n N, use -p N (--parallelism N)");
    expect(withUnknownOptionHint("option '-e, --iterations <n>' argument missing")).toBe("option '-e, --iterations <n>' argument missing");
  });
});
