/**
 * The one program cache (lib/core/programCache.ts): keys hold the backend instance, the bound
 * evicts the least recently used entry and frees it, a pinned entry outlives eviction until
 * its user releases it, and dispose frees everything (liveTensors back to where it was).
 */
import { describe, expect, it } from 'vitest';
import { currentBackend } from '../../lib/backend/index.js';
import { createJsBackend } from '../../lib/backend/js/index.js';
import { tensor } from '../../lib/core/creation.js';
import { ProgramCache, programKey, DEFAULT_PROGRAM_LIMIT } from '../../lib/core/programCache.js';
import { Tensor } from '../../lib/core/tensor.js';
import type { Params } from '../../lib/core/params.js';
import { ValueError } from '../../lib/errors.js';
import { LossPrograms } from '../../lib/algorithms/lossProgram.js';
import { tanhMlp } from '../algorithms/reference.js';

/** A cached value that owns one tensor and counts its disposals. */
class Owner {
  disposed = 0;
  constructor(readonly t: Tensor) {}
  dispose(): void {
    this.disposed++;
    this.t.dispose();
  }
}
const owner = (v: number) => new Owner(tensor([v], [1], 'float64'));

describe('ProgramCache', () => {
  it('keys hold the backend instance: two backends, same shapes and dtype, two programs', () => {
    const model = tanhMlp([1, 3, 1]);
    const programs = new LossPrograms(model, 'test');
    const other = createJsBackend();
    const onOther = (t: Tensor) => Tensor.fromHandle(other, other.fromArray(Float64Array.from(t.toArray()), t.shape), t.shape, 'float64');
    const params = model.init(1, 'float64');
    const data = { x: tensor([1, 2], [2, 1], 'float64'), y: tensor([0, 1], [2, 1], 'float64') };
    const otherParams: Params = Object.fromEntries(Object.entries(params).map(([n, t]) => [n, onOther(t)]));
    const otherData = { x: onOther(data.x), y: onOther(data.y) };
    const first = programs.acquire(params, data, 'mse');
    const second = programs.acquire(otherParams, otherData, 'mse');
    expect(second).not.toBe(first);
    expect(first.backend).toBe(currentBackend());
    expect(second.backend).toBe(other);
    expect(programs.cache.size).toBe(2);
    expect(programs.acquire(params, data, 'mse')).toBe(first); // a hit
    for (const p of [first, second, first]) programs.release(p);
    programs.dispose();
    expect(programs.cache.size).toBe(0);
    const key = (b: typeof other) => programKey(b, 'mse', [['x', data.x]]);
    expect(key(other)).not.toBe(key(currentBackend()));
  });

  it('the bound evicts the least recently used entry and disposes it', () => {
    const cache = new ProgramCache<Owner>(2);
    const values = [owner(0), owner(1), owner(2)];
    const get = (i: number) => cache.release(cache.acquire(`k${i}`, () => values[i]));
    get(0);
    get(1);
    get(0); // k0 is now the most recent
    get(2); // k1 goes
    expect(values.map((v) => v.disposed)).toEqual([0, 1, 0]);
    expect(cache.has('k0') && cache.has('k2') && !cache.has('k1')).toBe(true);
    cache.limit = 1; // lowering the bound evicts at once
    expect(values.map((v) => v.disposed)).toEqual([1, 1, 0]);
    expect(cache.evict('k2')).toBe(true);
    expect(cache.evict('k2')).toBe(false);
    expect(values.map((v) => v.disposed)).toEqual([1, 1, 1]);
    expect(new ProgramCache<Owner>().limit).toBe(DEFAULT_PROGRAM_LIMIT);
    expect(() => new ProgramCache<Owner>(0)).toThrow(ValueError);
  });

  it('a pinned entry survives eviction, evict() and clear() until released', async () => {
    const cache = new ProgramCache<Owner>(1);
    const held = owner(7);
    const value = await cache.use('held', () => held, async (v) => {
      cache.release(cache.acquire('other', () => owner(8))); // evicts 'held', which is in use
      expect(cache.has('held')).toBe(false);
      expect(v.disposed).toBe(0);
      await Promise.resolve();
      return v.t.toArray()[0];
    });
    expect(value).toBe(7);
    expect(held.disposed).toBe(1); // freed by its last user
    const pinned = cache.acquire('pinned', () => owner(9));
    cache.acquire('pinned', () => owner(10)); // a second user of the same entry
    cache.clear();
    cache.release(pinned);
    expect(pinned.disposed).toBe(0);
    cache.release(pinned);
    expect(pinned.disposed).toBe(1);
  });

  it('dispose frees everything: liveTensors back to the baseline', () => {
    const backend = currentBackend();
    const before = backend.liveTensors();
    const cache = new ProgramCache<Owner>(4);
    for (let i = 0; i < 6; i++) cache.release(cache.acquire(`k${i}`, () => owner(i)));
    expect(backend.liveTensors()).toBe(before + 4);
    cache.dispose();
    expect(cache.size).toBe(0);
    expect(backend.liveTensors()).toBe(before);
  });
});
