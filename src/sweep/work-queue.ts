/**
 * Hands out iterations to workers: one at a time from a single queue, or whole chunks of
 * `chunkSize` consecutive iterations (each chunk runs in order on one worker, like the seed's
 * nohup chunks).
 */
export class WorkQueue {
  private readonly units: number[][];

  constructor(iterations: number[], chunkSize: number | null) {
    const size = chunkSize ?? 1;
    this.units = [];
    for (let i = 0; i < iterations.length; i += size) this.units.push(iterations.slice(i, i + size));
  }

  take(): number[] | null {
    return this.units.shift() ?? null;
  }
}
