import { describe, expect, it } from 'vitest';
import { ValueError } from '../../lib/errors.js';
import { EpisodeSampler } from '../../lib/data/episodeSampler.js';
import { tagsOf, taggedDataset } from './dataHelpers.js';

describe('EpisodeSampler', () => {
  const dataset = taggedDataset(Array.from({ length: 12 }, () => 20));

  it('gives N-way K-shot Q-query shapes, grouped labels 0..N-1', () => {
    const sampler = new EpisodeSampler(dataset, { ways: 5, shots: 2, queries: 3, seed: 1 });
    const ep = sampler.sampleArrays();
    expect(ep.support.shape).toEqual([10, 3]);
    expect(ep.query.shape).toEqual([15, 3]);
    expect(Array.from(ep.support.y)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(Array.from(ep.query.y)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    expect(new Set(ep.classes).size).toBe(5);
  });

  it('remaps labels: every example of label i comes from classes[i]', () => {
    const sampler = new EpisodeSampler(dataset, { ways: 5, shots: 3, queries: 4, seed: 2, shuffle: true });
    for (let trial = 0; trial < 50; trial++) {
      const ep = sampler.sampleArrays();
      for (const side of [ep.support, ep.query]) {
        tagsOf(side.x).forEach(([cls], i) => expect(cls).toBe(ep.classes[side.y[i]]));
      }
    }
  });

  it('draws the class order at random (labels are not sorted class ids)', () => {
    const sampler = new EpisodeSampler(dataset, { ways: 5, shots: 1, queries: 1, seed: 3 });
    let unsorted = 0;
    for (let trial = 0; trial < 20; trial++) {
      const { classes } = sampler.sampleArrays();
      if (classes.some((c, i) => i > 0 && c < classes[i - 1])) unsorted++;
    }
    expect(unsorted).toBeGreaterThan(10);
  });

  it('keeps support and query disjoint, and examples distinct', () => {
    const sampler = new EpisodeSampler(dataset, { ways: 12, shots: 5, queries: 15, seed: 4 });
    for (let trial = 0; trial < 20; trial++) {
      const ep = sampler.sampleArrays();
      const keys = [...tagsOf(ep.support.x), ...tagsOf(ep.query.x)].map(([c, i]) => `${c}:${i}`);
      expect(new Set(keys).size).toBe(keys.length); // 12 x 20 = every example exactly once
      expect(keys.length).toBe(240);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const sampler = new EpisodeSampler(dataset, { ways: 5, shots: 1, queries: 2, seed });
      return Array.from({ length: 5 }, () => {
        const ep = sampler.sampleArrays();
        return [ep.classes, Array.from(ep.support.x), Array.from(ep.query.x)];
      });
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });

  it('draws only from the class filter, and covers it', () => {
    const allowed = [1, 4, 7, 10];
    const sampler = new EpisodeSampler(dataset, { ways: 2, shots: 1, queries: 1, seed: 5, classes: allowed });
    const seen = new Set<number>();
    for (let trial = 0; trial < 100; trial++) for (const c of sampler.sampleArrays().classes) seen.add(c);
    expect([...seen].sort((a, b) => a - b)).toEqual(allowed);
  });

  it('sample() and sampleBatch() make tensors [N*K, ...shape] in the requested dtype', () => {
    const sampler = new EpisodeSampler(dataset, { ways: 3, shots: 2, queries: 1, seed: 6, dtype: 'float64' });
    const batch = sampler.sampleBatch(4);
    expect(batch).toHaveLength(4);
    for (const ep of batch) {
      expect(ep.support.x.shape).toEqual([6, 3]);
      expect(ep.query.x.shape).toEqual([3, 3]);
      expect(ep.support.x.dtype).toBe('float64');
      const values = ep.support.x.toArray();
      expect(values[0]).toBe(ep.classes[0]); // first support example belongs to label 0
    }
  });

  it('rejects more ways than classes, and more shots + queries than a class holds', () => {
    expect(() => new EpisodeSampler(dataset, { ways: 13, shots: 1, queries: 1 })).toThrow(/13 ways but only 12 classes/);
    expect(() => new EpisodeSampler(dataset, { ways: 3, shots: 1, queries: 1, classes: [0, 1] })).toThrow(ValueError);
    const uneven = taggedDataset([20, 20, 6]);
    expect(() => new EpisodeSampler(uneven, { ways: 2, shots: 5, queries: 2 })).toThrow(/class 2 \(class2\) holds 6 examples, but 5 shots \+ 2 queries need 7/);
    expect(() => new EpisodeSampler(uneven, { ways: 2, shots: 0, queries: 2 })).toThrow(ValueError);
    expect(() => new EpisodeSampler(uneven, { ways: 2, shots: 1, queries: 1, classes: [0, 3] })).toThrow(/out of range/);
    expect(() => new EpisodeSampler(uneven, { ways: 2, shots: 1, queries: 1, classes: [0, 0] })).toThrow(/twice/);
  });
});
