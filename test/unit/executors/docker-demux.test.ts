import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { describe, expect, it } from 'vitest';

import { DockerDemux } from '../../../src/executors/docker/demux.js';

const STDOUT = 1;
const STDERR = 2;

/** One frame of Docker's multiplexed attach stream: [stream, 0, 0, 0, size (uint32 BE)] + payload. */
function frame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Feeds the chunks through a fresh demuxer and returns everything it put out. */
async function demux(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const d = new DockerDemux();
  d.on('data', (chunk: Buffer) => out.push(Buffer.from(chunk)));
  const ended = once(d, 'end');
  for (const chunk of chunks) d.write(chunk);
  d.end();
  await ended;
  return Buffer.concat(out);
}

const frames = [
  frame(STDOUT, 'collecting ... collected 2 items\n'),
  frame(STDERR, 'warning: something on stderr\n'),
  frame(STDOUT, ''),
  frame(STDOUT, 't.py::test_a PASSED [ 50%]\n'),
  frame(STDERR, Buffer.from([0, 1, 2, 0xff, 0xfe, 10])),
  frame(STDOUT, 'naïve ✓\n'),
];
const stream = Buffer.concat(frames);
const payload = Buffer.concat([
  Buffer.from('collecting ... collected 2 items\n'),
  Buffer.from('warning: something on stderr\n'),
  Buffer.from('t.py::test_a PASSED [ 50%]\n'),
  Buffer.from([0, 1, 2, 0xff, 0xfe, 10]),
  Buffer.from('naïve ✓\n'),
]);

describe('DockerDemux', () => {
  it('strips the headers of interleaved stdout and stderr frames, keeping arrival order', async () => {
    const out = await demux([stream]);
    expect(out.equals(payload)).toBe(true);
    expect(out.toString('latin1')).not.toContain('\u0001\u0000\u0000\u0000');
  });

  it('reassembles the exact payload when the stream is split at every possible byte boundary', async () => {
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const out = await demux([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(out.equals(payload), `split at byte ${cut}`).toBe(true);
    }
  });

  it('reassembles when split at every pair of boundaries', async () => {
    for (let a = 1; a < stream.length; a += 3) {
      for (let b = a; b <= stream.length; b += 5) {
        const out = await demux([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]);
        expect(out.equals(payload), `split at ${a} and ${b}`).toBe(true);
      }
    }
  });

  it('reassembles when fed one byte at a time', async () => {
    const bytes = Array.from(stream, (byte) => Buffer.from([byte]));
    expect((await demux(bytes)).equals(payload)).toBe(true);
  });

  it('handles a large frame spread over many chunks, surrounded by small ones', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 31) % 251;
    const whole = Buffer.concat([frame(STDERR, 'before\n'), frame(STDOUT, big), frame(STDERR, 'after\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 65_521) chunks.push(whole.subarray(i, i + 65_521));
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunks), new DockerDemux(), async function* (source) {
      for await (const chunk of source) out.push(Buffer.from(chunk as Buffer));
    });
    expect(Buffer.concat(out).equals(Buffer.concat([Buffer.from('before\n'), big, Buffer.from('after\n')]))).toBe(true);
  });
});
