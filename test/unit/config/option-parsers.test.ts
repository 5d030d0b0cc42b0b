import os from 'node:os';

import { describe, expect, it } from 'vitest';

import { byteSize, gpus, imageReference, outputFile, rate, ulimit, wholeNumber } from '../../../src/config/option-parsers.js';
import { UsageError } from '../../../src/core/errors.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('byteSize', () => {
  it.each([
    ['1073741824', 1073741824],
    ['64k', 65536],
    ['512m', 536870912],
    ['1g', 1073741824],
    ['2G', 2147483648],
    ['1.5g', 1610612736],
    ['1t', 1024 ** 4],
    ['512mb', 536870912],
    ['2GiB', 2147483648],
    [' 8m ', 8388608],
    ['100b', 100],
  ])('%j → %d bytes', (text, bytes) => {
    expect(byteSize(text, '--shm-size')).toBe(bytes);
  });

  it.each(['', 'lots', '-1g', '1x', 'g', '1gg', '1..5g', '1,5g'])('rejects %j naming the flag and the fix', (text) => {
    const error = thrown(() => byteSize(text, '--memory'));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`--memory ${JSON.stringify(text)} is not a size: write it like 512m, 2g or 1073741824`);
  });
});

describe('ulimit', () => {
  it('reads NAME=SOFT:HARD and NAME=VALUE', () => {
    expect(ulimit('nofile=1024:2048')).toEqual({ name: 'nofile', soft: 1024, hard: 2048 });
    expect(ulimit('core=-1')).toEqual({ name: 'core', soft: -1, hard: -1 });
    expect(ulimit('nproc=512')).toEqual({ name: 'nproc', soft: 512, hard: 512 });
  });

  it.each(['nofile', 'nofile=', 'NOFILE=1', 'nofile=a', 'nofile=1:2:3', '=1', 'no file=1'])('rejects %j', (text) => {
    const error = thrown(() => ulimit(text));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(`--ulimit ${JSON.stringify(text)}`);
    expect(error.message).toContain('nofile=1024:2048');
  });
});

describe('gpus', () => {
  it('reads all, a count, and device lists', () => {
    expect(gpus('all')).toEqual({ count: 'all' });
    expect(gpus('2')).toEqual({ count: 2 });
    expect(gpus('device=0,1')).toEqual({ deviceIds: ['0', '1'] });
    expect(gpus('device=GPU-3f2a-11')).toEqual({ deviceIds: ['GPU-3f2a-11'] });
  });

  it.each(['', 'many', 'device=', 'ALL', '-1', 'device=0;1', '2 gpus'])('rejects %j', (text) => {
    const error = thrown(() => gpus(text));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`--gpus ${JSON.stringify(text)} is not all, a count, or device=ID[,ID]`);
  });
});


describe('imageReference', () => {
  it('takes what Docker names an image by: name, tag, registry with port, digest, image id', () => {
    for (const image of ['flakehunt-pytest:bookworm', 'dynamo', 'team/app:1.2_rc-3', 'registry.example.com:5000/team/app:latest', 'localhost/a__b/c', `app@sha256:${'a'.repeat(64)}`, `sha256:${'0'.repeat(64)}`, '[::1]:5000/x:y']) {
      expect(imageReference(image)).toBe(image);
    }
    // None given: where an image is required, the config says so.
    expect(imageReference(undefined)).toBeNull();
    expect(imageReference('  ')).toBeNull();
  });

  it('refuses anything else in one line, before it can become part of a Docker API path', () => {
    for (const image of ['../../127.0.0.1:8765/x?', '../../info?', '/', 'UPPER:case', 'a b', 'app:', 'app:tag:more', `x:${'t'.repeat(129)}`, 'a//b', '-app']) {
      expect(() => imageReference(image, '-i'), image).toThrow(/^-i ".*" is not a Docker image name: write \[registry\/\]name\[:tag\]\[@digest\] in lower case/);
    }
  });
});

describe('bounds no sweep can reach', () => {
  it('a count over 1,000,000 is refused in one line instead of exhausting memory', () => {
    expect(wholeNumber('1000000', '--end')).toBe(1_000_000);
    expect(() => wholeNumber('99999999999', '--end')).toThrow(/^--end must be a whole number ≥ 1 and at most 1000000, got "99999999999"$/);
  });

  it('a rate closer to 0 or 1 than 0.01% is refused: the plans would need hundreds of thousands of iterations', () => {
    expect(rate('0.01%', '--rate')).toBeCloseTo(1e-4, 12);
    for (const r of ['0.0001%', '1e-9', '99.999%']) expect(() => rate(r, '--rate'), r).toThrow(/from 0\.01% to 99\.99%/);
  });
});

describe('container options Docker would refuse only at start', () => {
  it('an unknown ulimit, or a soft limit above the hard one', () => {
    expect(ulimit('nofile=1024:2048')).toEqual({ name: 'nofile', soft: 1024, hard: 2048 });
    expect(ulimit('core=-1')).toEqual({ name: 'core', soft: -1, hard: -1 });
    expect(() => ulimit('bogus=1')).toThrow(/bogus is not a limit Docker knows/);
    expect(() => ulimit('nofile=2048:1024')).toThrow(/the soft limit is above the hard one/);
  });

  it('--gpus 0', () => {
    expect(() => gpus('0')).toThrow(/--gpus 0 asks for no GPU/);
  });
});

describe('outputFile', () => {
  it('refuses an empty name and an existing folder, naming the flag and an example', () => {
    expect(outputFile('x/report.html', '--output', '/base')).toBe('/base/x/report.html');
    expect(() => outputFile('', '--junit')).toThrow(/^--junit is empty: give the file to write, e\.g\. --junit results\.xml$/);
    expect(() => outputFile(os.tmpdir(), '--output')).toThrow(/is a folder: give a file in it, e\.g\. .*report\.html$/);
  });
});
