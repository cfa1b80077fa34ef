/** The contract of issue 3 exactly as a user writes it, through the package entry point. */
import { describe, expect, it } from 'vitest';
import { data } from '../../lib/index.js';
import { hasOmniglotNpz, noSharedDataReason, removeTempDirs, sharedData, tempDir } from './dataHelpers.js';
import { afterAll } from 'vitest';

afterAll(removeTempDirs);

describe('data public API', () => {
  it.skipIf(!hasOmniglotNpz)(`omniglot + EpisodeSampler as in the issue ${hasOmniglotNpz ? '' : noSharedDataReason}`, async () => {
    const omni = await data.omniglot({ root: sharedData, source: 'npz', split: 'test', imageSize: 28, rotations: true, cacheDir: tempDir() });
    expect(omni.numClasses).toBe(1692);
    const sampler = new data.EpisodeSampler(omni, { ways: 5, shots: 1, queries: 15, seed: 1 });
    const ep = sampler.sample();
    expect(ep.support.x.shape).toEqual([5, 1, 28, 28]);
    expect(ep.query.x.shape).toEqual([75, 1, 28, 28]);
    expect(ep.support.y).toBeInstanceOf(Int32Array);
    expect(ep.classes).toHaveLength(5);
  });

  it('sinusoid as in the issue', () => {
    const sine = data.sinusoid({ seed: 0 });
    const task = sine.sample({ shots: 10, queries: 10 });
    expect(task.support.x.shape).toEqual([10, 1]);
    expect(task.query.y.shape).toEqual([10, 1]);
    expect(typeof task.amplitude).toBe('number');
    expect(typeof task.phase).toBe('number');
  });
});
