/**
 * The one pseudo-random generator of lib/data: mulberry32 (Tommy Ettinger's 32-bit generator,
 * a Weyl sequence step 0x6D2B79F5 followed by a multiply-xorshift mix). All arithmetic is on
 * uint32 with Math.imul, so the same seed gives the same stream on every machine and Node
 * version. Period 2^32 per seed, which is ample for episode sampling (it is not a
 * cryptographic generator and is not meant for that).
 *
 * Every sampler owns one Random; nothing in lib/data uses Math.random.
 */
import { ValueError } from '../errors.js';

export class Random {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new ValueError(`Random: seed must be a finite number, got ${String(seed)}`);
    // Fold any finite number (negative, fractional, > 2^32) into a uint32 deterministically.
    this.state = (Math.trunc(seed) ^ Math.trunc(seed / 4294967296)) >>> 0;
  }

  /** Next uint32 in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1) with 53 random bits (two draws). */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.nextFloat();
  }

  /** Uniform integer in [0, n), unbiased (rejection of the short last bucket). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new ValueError(`Random.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }

  /** Uniform integer in [low, high] (both inclusive). */
  intBetween(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  /** Shuffles array in place (Fisher-Yates, from the end). */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /**
   * k distinct integers from [0, n) in random order: a partial Fisher-Yates over `scratch`
   * (length >= n; reused between calls to avoid allocation). Returns the first k of scratch.
   */
  choose(n: number, k: number, scratch: Int32Array): Int32Array {
    if (k > n) throw new ValueError(`Random.choose: cannot choose ${k} distinct of ${n}`);
    for (let i = 0; i < n; i++) scratch[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = scratch[i];
      scratch[i] = scratch[j];
      scratch[j] = tmp;
    }
    return scratch.subarray(0, k);
  }

  /** A new generator whose stream is derived from this one (for seeding sub-samplers). */
  fork(): Random {
    return new Random(this.nextUint32());
  }
}
