// A small seedable PRNG for host-side randomness (data shuffling, samplers): xoshiro128** over
// four uint32 words, seeded through splitmix32. Its whole state is four numbers, so a data
// loader's checkpoint can store it and resume the exact same stream (getState/setState).
import { fail } from './errors.js';

/** splitmix32: spreads a 32-bit seed over the state words (xoshiro must not start all-zero). */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function isUint32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

export class PRNG {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** seed: any integer (the low 32 bits are used); a non-integer seed is an error. */
  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Restarts the stream from `seed`. */
  seed(seed: number): void {
    if (!Number.isFinite(seed) || !Number.isInteger(seed)) fail('ValueError', `PRNG: seed must be an integer, got ${seed}`);
    const next = splitmix32(seed);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The four state words; setState(getState()) resumes the same stream. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 4 || !state.every(isUint32)) {
      fail('ValueError', `PRNG.setState: expected 4 uint32 words, got ${JSON.stringify(state)}`);
    }
    if (state.every((w) => w === 0)) fail('ValueError', 'PRNG.setState: the all-zero state is invalid for xoshiro128**');
    [this.s0, this.s1, this.s2, this.s3] = state as [number, number, number, number];
  }

  /** A uniform uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n), unbiased (rejection sampling); 1 <= n <= 2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) fail('ValueError', `PRNG.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    if (n === 4294967296) return this.nextUint32();
    // Reject the top partial block of the uint32 range so every residue is equally likely.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A uniform integer in [low, high). */
  randint(low: number, high: number): number {
    if (!(high > low)) fail('ValueError', `PRNG.randint: need low < high, got [${low}, ${high})`);
    return low + this.nextInt(high - low);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  shuffle(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) fail('ValueError', `PRNG.shuffle: n must be a non-negative integer, got ${n}`);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffleInPlace(out);
  }

  /** Shuffles `arr` in place (Fisher–Yates) and returns it. */
  shuffleInPlace<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed from the OS's entropy, for when the user gives none. */
export function randomSeed(): number {
  return (Math.random() * 4294967296) >>> 0;
}
