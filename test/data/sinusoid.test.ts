import { describe, expect, it } from 'vitest';
import { ValueError } from '../../lib/errors.js';
import { sinusoid } from '../../lib/data/sinusoid.js';

describe('sinusoid (MAML paper task family)', () => {
  it('draws amplitude in [0.1, 5], phase in [0, pi], x in [-5, 5] and y = A sin(x - phase)', () => {
    const sine = sinusoid({ seed: 0, dtype: 'float64' });
    let minA = Infinity;
    let maxA = -Infinity;
    for (let t = 0; t < 300; t++) {
      const ep = sine.sample({ shots: 10, queries: 7 });
      expect(ep.amplitude).toBeGreaterThanOrEqual(0.1);
      expect(ep.amplitude).toBeLessThanOrEqual(5);
      expect(ep.phase).toBeGreaterThanOrEqual(0);
      expect(ep.phase).toBeLessThanOrEqual(Math.PI);
      minA = Math.min(minA, ep.amplitude);
      maxA = Math.max(maxA, ep.amplitude);
      expect(ep.support.x.shape).toEqual([10, 1]);
      expect(ep.query.y.shape).toEqual([7, 1]);
      for (const set of [ep.support, ep.query]) {
        const x = set.x.toArray();
        const y = set.y.toArray();
        x.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(-5);
          expect(v).toBeLessThanOrEqual(5);
          expect(y[i]).toBeCloseTo(ep.amplitude * Math.sin(v - ep.phase), 12);
        });
      }
    }
    expect(minA).toBeLessThan(0.5); // the whole range is used
    expect(maxA).toBeGreaterThan(4.6);
  });

  it('is deterministic for a seed; float32 by default', () => {
    const a = sinusoid({ seed: 3 }).sample({ shots: 5, queries: 5 });
    const b = sinusoid({ seed: 3 }).sample({ shots: 5, queries: 5 });
    expect(b.amplitude).toBe(a.amplitude);
    expect(Array.from(b.support.x.toArray())).toEqual(Array.from(a.support.x.toArray()));
    expect(a.support.x.dtype).toBe('float32');
    expect(sinusoid({ seed: 4 }).sample({ shots: 5, queries: 5 }).amplitude).not.toBe(a.amplitude);
  });

  it('grid evaluates a task on evenly spaced x from -5 to 5', () => {
    const sine = sinusoid({ dtype: 'float64' });
    const task = { amplitude: 2, phase: 1 };
    const grid = sine.grid(task, 11);
    expect(Array.from(grid.x.toArray())).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5]);
    expect(grid.y.toArray()[5]).toBeCloseTo(2 * Math.sin(-1), 12);
    expect(sine.sampleBatch(3, { shots: 2, queries: 2 })).toHaveLength(3);
    expect(() => sine.grid(task, 1)).toThrow(ValueError);
    expect(() => sine.sample({ shots: 0, queries: 1 })).toThrow(ValueError);
  });
});
