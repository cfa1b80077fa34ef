import { describe, expect, it } from 'vitest';
import { ValueError } from '../../lib/errors.js';
import { EpisodeSampler } from '../../lib/data/episodeSampler.js';
import { MultiSourceSampler } from '../../lib/data/multiSourceSampler.js';
import { VariableEpisodeSampler } from '../../lib/data/variableEpisodeSampler.js';
import { tagsOf, taggedDataset } from './dataHelpers.js';

describe('VariableEpisodeSampler (Meta-Dataset procedure)', () => {
  // 60 classes with 10..69 examples each.
  const sizes = Array.from({ length: 60 }, (_, c) => 10 + c);
  const dataset = taggedDataset(sizes);
  const options = { minWays: 5, maxWays: 20, maxQueriesPerClass: 10, maxSupportSize: 100, maxSupportPerClass: 30 };

  it('respects every bound of the procedure and keeps labels and disjointness', () => {
    const sampler = new VariableEpisodeSampler(dataset, { ...options, seed: 1 });
    const waysSeen = new Set<number>();
    let imbalanced = 0;
    for (let trial = 0; trial < 200; trial++) {
      const ep = sampler.sampleArrays();
      const ways = ep.classes.length;
      waysSeen.add(ways);
      expect(ways).toBeGreaterThanOrEqual(5);
      expect(ways).toBeLessThanOrEqual(20);
      const smallest = Math.min(...ep.classes.map((c) => sizes[c]));
      const q = Math.min(10, Math.floor(smallest / 2));
      expect(ep.queries.every((n) => n === q)).toBe(true);
      ep.shots.forEach((k, i) => {
        expect(k).toBeGreaterThanOrEqual(1);
        expect(k).toBeLessThanOrEqual(sizes[ep.classes[i]] - q);
      });
      const total = ep.shots.reduce((a, b) => a + b, 0);
      // floor(share * (S - N)) + 1 summed is at most S <= max(maxSupportSize, N).
      expect(total).toBeLessThanOrEqual(Math.max(100, ways));
      if (new Set(ep.shots).size > 1) imbalanced++;
      expect(ep.support.y.length).toBe(total);
      expect(ep.query.y.length).toBe(q * ways);
      for (const side of [ep.support, ep.query]) tagsOf(side.x).forEach(([cls], i) => expect(cls).toBe(ep.classes[side.y[i]]));
      const keys = [...tagsOf(ep.support.x), ...tagsOf(ep.query.x)].map(([c, i]) => `${c}:${i}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(waysSeen.size).toBeGreaterThan(10); // ways really vary
    expect(imbalanced).toBeGreaterThan(150); // supports are class-imbalanced
  });

  it('is deterministic for a seed', () => {
    const a = new VariableEpisodeSampler(dataset, { ...options, seed: 4 });
    const b = new VariableEpisodeSampler(dataset, { ...options, seed: 4 });
    for (let i = 0; i < 10; i++) {
      const ea = a.sampleArrays();
      const eb = b.sampleArrays();
      expect(eb.classes).toEqual(ea.classes);
      expect(eb.shots).toEqual(ea.shots);
      expect(Array.from(eb.support.x)).toEqual(Array.from(ea.support.x));
    }
  });

  it('rejects classes with fewer than 2 examples and too few classes', () => {
    expect(() => new VariableEpisodeSampler(taggedDataset([5, 1, 5, 5, 5]), { minWays: 2 })).toThrow(/class 1 \(class1\) holds 1 examples/);
    expect(() => new VariableEpisodeSampler(taggedDataset([5, 5, 5]), { minWays: 5 })).toThrow(ValueError);
  });
});

describe('MultiSourceSampler', () => {
  const first = new EpisodeSampler(taggedDataset([4, 4, 4]), { ways: 2, shots: 1, queries: 1, seed: 1 });
  const second = new EpisodeSampler(taggedDataset([6, 6, 6, 6]), { ways: 3, shots: 1, queries: 1, seed: 2 });

  it('draws each episode whole from one source, in proportion to the weights', () => {
    const mixture = new MultiSourceSampler([first, second], { weights: [1, 3], seed: 3 });
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) {
      const ep = mixture.sampleArrays();
      counts[ep.source]++;
      expect(ep.classes.length).toBe(ep.source === 0 ? 2 : 3);
    }
    expect(Math.abs(counts[1] / 4000 - 0.75)).toBeLessThan(0.04);
  });

  it('never picks a zero-weight source, and validates weights', () => {
    const mixture = new MultiSourceSampler([first, second], { weights: [0, 1], seed: 4 });
    for (let i = 0; i < 100; i++) expect(mixture.sample().source).toBe(1);
    expect(() => new MultiSourceSampler([first, second], { weights: [1] })).toThrow(ValueError);
    expect(() => new MultiSourceSampler([first], { weights: [0] })).toThrow(ValueError);
    expect(() => new MultiSourceSampler([])).toThrow(ValueError);
  });
});
