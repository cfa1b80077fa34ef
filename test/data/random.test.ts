import { describe, expect, it } from 'vitest';
import { ValueError } from '../../lib/errors.js';
import { Random } from '../../lib/data/random.js';

/** mulberry32 written independently with BigInt arithmetic modulo 2^32 (reference). */
function referenceMulberry32(seed: number, count: number): number[] {
  const M = 2n ** 32n;
  const mul = (a: bigint, b: bigint) => (a * b) % M;
  let state = BigInt(seed >>> 0);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    state = (state + 0x6d2b79f5n) % M;
    let t = state;
    t = mul(t ^ (t >> 15n), t | 1n);
    t = (t ^ ((t + mul(t ^ (t >> 7n), t | 61n)) % M)) % M;
    out.push(Number((t ^ (t >> 14n)) % M));
  }
  return out;
}

describe('Random (mulberry32)', () => {
  it('matches an independent BigInt implementation of mulberry32', () => {
    for (const seed of [0, 1, 42, 123456789, 0xffffffff]) {
      const rng = new Random(seed);
      const ours = Array.from({ length: 50 }, () => rng.nextUint32());
      expect(ours).toEqual(referenceMulberry32(seed, 50));
    }
  });

  it('same seed, same stream; different seed, different stream', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const sa = Array.from({ length: 20 }, () => a.nextFloat());
    expect(Array.from({ length: 20 }, () => b.nextFloat())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextFloat())).not.toEqual(sa);
  });

  it('int(n) stays in range and hits every value about equally', () => {
    const rng = new Random(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[rng.int(7)]++;
    for (const n of counts) expect(Math.abs(n - 10000)).toBeLessThan(500); // ~5 sigma
  });

  it('nextFloat is in [0, 1) with mean near 1/2', () => {
    const rng = new Random(11);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const u = rng.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(Math.abs(sum / 20000 - 0.5)).toBeLessThan(0.01);
  });

  it('choose gives k distinct values below n', () => {
    const rng = new Random(5);
    const scratch = new Int32Array(30);
    for (let trial = 0; trial < 100; trial++) {
      const picks = Array.from(rng.choose(30, 12, scratch));
      expect(new Set(picks).size).toBe(12);
      expect(picks.every((p) => p >= 0 && p < 30)).toBe(true);
    }
  });

  it('rejects bad arguments with ValueError', () => {
    expect(() => new Random(NaN)).toThrow(ValueError);
    expect(() => new Random(1).int(0)).toThrow(ValueError);
    expect(() => new Random(1).choose(3, 4, new Int32Array(4))).toThrow(ValueError);
  });
});
