/**
 * Seeded pseudo-random numbers, identical on every machine: mulberry32 (a 32-bit
 * multiply-xorshift generator by Tommy Ettinger), Box-Muller for normals.
 */
import { ValueError } from '../errors.js';

export class Random {
  private state: number;

  constructor(seed: number) {
    if (typeof seed !== 'number') throw new ValueError(`Random: seed must be a number, got ${typeof seed}`);
    // Mix the seed once with a splitmix-style step so nearby seeds give unrelated streams.
    let z = (Math.floor(seed) + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal (Box-Muller; one draw per call for simplicity). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(u) is finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
