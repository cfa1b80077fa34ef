import { describe, expect, it } from 'vitest';
import { Adam, SGD } from '../../lib/train/optimizers.js';
import { clipByGlobalNorm, clipByValue, globalNorm } from '../../lib/train/gradientClipping.js';
import { cloneArrays, type NamedArrays } from '../../lib/train/namedArrays.js';
import { ValueError } from '../../lib/errors.js';

function arrays(values: Record<string, number[]>, dtype: 'float32' | 'float64' = 'float64'): NamedArrays {
  const out: NamedArrays = {};
  for (const [name, v] of Object.entries(values)) {
    out[name] = { dtype, shape: [v.length], data: dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v) };
  }
  return out;
}

const values = (a: NamedArrays, name: string) => Array.from(a[name].data);

describe('SGD', () => {
  it('plain step: p - lr * g', () => {
    const p = arrays({ w: [1, 2] });
    new SGD({ lr: 0.1 }).step(p, arrays({ w: [0.5, -1] }));
    expect(values(p, 'w')[0]).toBeCloseTo(0.95, 14);
    expect(values(p, 'w')[1]).toBeCloseTo(2.1, 14);
  });

  it('momentum: v = mu v + g, p -= lr v (two steps by hand)', () => {
    const p = arrays({ w: [1, 2] });
    const sgd = new SGD({ lr: 0.1, momentum: 0.9 });
    const g = arrays({ w: [0.5, -1] });
    sgd.step(p, g); // v = [0.5, -1]        p = [0.95, 2.1]
    sgd.step(p, g); // v = [0.95, -1.9]     p = [0.855, 2.29]
    expect(values(p, 'w')[0]).toBeCloseTo(0.855, 14);
    expect(values(p, 'w')[1]).toBeCloseTo(2.29, 14);
  });

  it('keeps the parameter dtype (float32 stays float32)', () => {
    const p = arrays({ w: [1] }, 'float32');
    new SGD({ lr: 0.5 }).step(p, arrays({ w: [0.25] }));
    expect(p.w.data).toBeInstanceOf(Float32Array);
    expect(p.w.data[0]).toBe(0.875);
  });

  it('rejects mismatched gradients with a ValueError naming them', () => {
    const sgd = new SGD({ lr: 0.1 });
    expect(() => sgd.step(arrays({ w: [1] }), arrays({ b: [1] }))).toThrow(ValueError);
    expect(() => sgd.step(arrays({ w: [1] }), arrays({ w: [1, 2] }))).toThrow(/'w' has shape \[2\]/);
    expect(() => new SGD({ lr: -1 })).toThrow(ValueError);
  });
});

describe('Adam', () => {
  it('two steps match Kingma & Ba Algorithm 1 computed by hand', () => {
    const p = arrays({ w: [1, 2] });
    const adam = new Adam({ lr: 0.1 });
    adam.step(p, arrays({ w: [0.5, -1] }));
    // Step 1: m_hat = g, v_hat = g^2, so p -= lr * g / (|g| + eps).
    expect(values(p, 'w')[0]).toBeCloseTo(1 - (0.1 * 0.5) / (0.5 + 1e-8), 14);
    expect(values(p, 'w')[1]).toBeCloseTo(2 + (0.1 * 1) / (1 + 1e-8), 14);
    adam.step(p, arrays({ w: [0.25, 1] }));
    // Step 2, element 0: m = 0.9*0.05 + 0.1*0.25 = 0.07;  v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225
    //   m_hat = 0.07 / 0.19;  v_hat = 0.00031225 / 0.001999
    const p0 = 1 - (0.1 * 0.5) / (0.5 + 1e-8) - (0.1 * (0.07 / 0.19)) / (Math.sqrt(0.00031225 / 0.001999) + 1e-8);
    expect(values(p, 'w')[0]).toBeCloseTo(p0, 12);
    // element 1: m = 0.9*(-0.1) + 0.1*1 = 0.01;  v = 0.999*0.001 + 0.001*1 = 0.001999
    const p1 = 2 + (0.1 * 1) / (1 + 1e-8) - (0.1 * (0.01 / 0.19)) / (Math.sqrt(0.001999 / 0.001999) + 1e-8);
    expect(values(p, 'w')[1]).toBeCloseTo(p1, 12);
  });

  it('state round trip continues the same trajectory', () => {
    const grads = [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.2, 0.2], [0.7, -0.1]].map((g) => arrays({ w: g }));
    const straight = arrays({ w: [1, -1] });
    const a = new Adam({ lr: 0.05 });
    for (const g of grads) a.step(straight, g);

    const resumed = arrays({ w: [1, -1] });
    const first = new Adam({ lr: 0.05 });
    for (const g of grads.slice(0, 3)) first.step(resumed, g);
    const saved = first.state();
    const second = new Adam({ lr: 0.05 });
    second.loadState({ ...saved, slots: { m: cloneArrays(saved.slots.m), v: cloneArrays(saved.slots.v) } });
    for (const g of grads.slice(3)) second.step(resumed, g);
    expect(values(resumed, 'w')).toEqual(values(straight, 'w'));
    expect(() => new SGD({ lr: 1 }).loadState(saved)).toThrow(/'adam' optimiser, not 'sgd'/);
  });

  it('clips by global norm before the update', () => {
    const p = arrays({ a: [0], b: [0] });
    const sgd = new SGD({ lr: 1, clip: { maxNorm: 1 } });
    const { gradNorm } = sgd.step(p, arrays({ a: [3], b: [4] }));
    expect(gradNorm).toBe(5);
    expect(values(p, 'a')[0]).toBeCloseTo(-0.6, 15);
    expect(values(p, 'b')[0]).toBeCloseTo(-0.8, 15);
  });
});

describe('gradient clipping', () => {
  it('global norm over all arrays', () => {
    expect(globalNorm(arrays({ a: [1, 2], b: [2] }))).toBe(3);
  });

  it('clipByGlobalNorm rescales only above the threshold', () => {
    const g = arrays({ a: [3], b: [4] });
    expect(values(clipByGlobalNorm(g, 10).grads, 'a')).toEqual([3]);
    const clipped = clipByGlobalNorm(g, 2.5);
    expect(values(clipped.grads, 'a')[0]).toBeCloseTo(1.5, 15);
    expect(values(clipped.grads, 'b')[0]).toBeCloseTo(2, 15);
    expect(values(g, 'a')).toEqual([3]); // input untouched
  });

  it('clipByValue clamps elementwise', () => {
    expect(values(clipByValue(arrays({ a: [3, -0.2, -7] }), 0.5), 'a')).toEqual([0.5, -0.2, -0.5]);
    expect(() => clipByValue(arrays({ a: [1] }), 0)).toThrow(ValueError);
  });
});
