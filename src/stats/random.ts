// A seeded pseudo-random stream for simulations, permutation tests and Thompson sampling.
//
// Generator: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/). It is 32-bit arithmetic only,
// which JavaScript does exactly with Math.imul and >>> 0, so a seed gives the same stream on every machine;
// it passes BigCrush, and its period of 2^128 − 1 leaves room for the tens of millions of draws a
// simulation test makes. mulberry32 was the alternative: smaller, but its 32-bit state repeats after 2^32
// draws and not every output is reachable, which a long simulation can notice.
// Seeding: the seed's text (a number by its decimal form, so 42 and '42' are one stream) is hashed with
// 32-bit FNV-1a over its UTF-8 bytes and expanded to the four state words by splitmix32.

export type Seed = string | number;

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash;
}

function splitmix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  return { state: next, value: (z ^ (z >>> 15)) >>> 0 };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class SeededRandom {
  private readonly s = new Uint32Array(4);

  constructor(seed: Seed) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
    let state = fnv1a32(String(seed));
    for (let i = 0; i < 4; i++) {
      const step = splitmix32(state);
      state = step.state;
      this.s[i] = step.value;
    }
    if (this.s.every((word) => word === 0)) this.s[0] = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    let s0 = s[0]!;
    let s1 = s[1]!;
    let s2 = s[2]!;
    let s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3 >>> 0, 11);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return result;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** A uniform integer in [0, bound), without modulo bias (rejection sampling); bound ≤ 2^32. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % bound;
    }
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const held = items[i]!;
      items[i] = items[j]!;
      items[j] = held;
    }
    return items;
  }

  /** A standard normal deviate (Marsaglia's polar method). */
  nextNormal(): number {
    for (;;) {
      const u = 2 * this.nextFloat() - 1;
      const v = 2 * this.nextFloat() - 1;
      const r = u * u + v * v;
      if (r > 0 && r < 1) return u * Math.sqrt((-2 * Math.log(r)) / r);
    }
  }

  /** A Beta(a, b) deviate, as X / (X + Y) for independent Gamma(a) and Gamma(b), formed in logs so small shapes cannot give 0 / 0. */
  nextBeta(a: number, b: number): number {
    if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) throw new RangeError(`Beta shapes must be positive and finite, got ${a}, ${b}`);
    const logX = this.logGamma(a);
    const logY = this.logGamma(b);
    return 1 / (1 + Math.exp(logY - logX));
  }

  /** ln of a Gamma(shape, 1) deviate: Marsaglia & Tsang (2000) for shape ≥ 1, boosted by U^(1/shape) below 1. */
  private logGamma(shape: number): number {
    if (shape < 1) return this.logGamma(shape + 1) + Math.log(1 - this.nextFloat()) / shape;
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.nextNormal();
      const base = 1 + c * x;
      if (base <= 0) continue;
      const v = base * base * base;
      const u = 1 - this.nextFloat();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v);
    }
  }
}
