import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;

/**
 * Turns Docker's multiplexed attach stream (8-byte frame headers, stdout and stderr frames) into
 * one byte stream in arrival order, with backpressure: a container printing faster than the disk
 * writes is slowed down, not buffered in memory.
 */
export class DockerDemux extends Transform {
  private header = Buffer.alloc(0);
  private remaining = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining === 0) {
        const need = HEADER - this.header.length;
        const take = chunk.subarray(offset, offset + need);
        this.header = this.header.length === 0 ? Buffer.from(take) : Buffer.concat([this.header, take]);
        offset += take.length;
        if (this.header.length < HEADER) break;
        this.remaining = this.header.readUInt32BE(4);
        this.header = Buffer.alloc(0);
        continue;
      }
      const take = chunk.subarray(offset, offset + this.remaining);
      this.push(take);
      this.remaining -= take.length;
      offset += take.length;
    }
    done();
  }
}
