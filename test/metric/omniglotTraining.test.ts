/**
 * A prototypical network trains on real Omniglot within a test-sized budget: a small conv4
 * (8 filters per block) on 28x28 images, 5-way 1-shot episodes from the Vinyals train split,
 * 100 Adam steps, then evaluated on held-out classes (the Vinyals test split) to well above
 * chance (20%) and above the same network before training.
 * Data: $METALEARN_SHARED_DATA or /work/shared/data (skipped with a reason when absent).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBackend, nativeAvailable, setBackend } from '../../lib/backend/index.js';
import { EpisodeSampler, omniglot } from '../../lib/data/index.js';
import * as nn from '../../lib/nn/index.js';
import { ProtoNet } from '../../lib/metric/index.js';
import { Adam } from '../../lib/train/optimizers.js';
import { arraysToParams, paramsToArrays } from '../../lib/train/paramArrays.js';

const root = process.env.METALEARN_SHARED_DATA ?? '/work/shared/data';
const hasData = existsSync(join(root, 'omniglot', 'npz', 'images_background.npz'));
const EPISODES = 100;

describe('ProtoNet on Omniglot', () => {
  it.skipIf(!hasData)(
    `learns 5-way 1-shot well above chance on held-out classes${hasData ? '' : ` (skipped: no Omniglot npz under ${root})`}`,
    async () => {
      setBackend(nativeAvailable().ok ? 'native' : 'js');
      const cacheDir = mkdtempSync(join(tmpdir(), 'metalearn-metric-omniglot-'));
      const load = (split: 'train' | 'test') => omniglot({ root, source: 'npz', split, imageSize: 28, cacheDir });
      const [train, test] = [await load('train'), await load('test')];
      const proto = new ProtoNet(nn.conv4({ inChannels: 1, hidden: 8 }));
      const trainEpisodes = new EpisodeSampler(train, { ways: 5, shots: 1, queries: 3, seed: 1 });
      const testEpisodes = () => new EpisodeSampler(test, { ways: 5, shots: 1, queries: 3, seed: 2 });

      let params = proto.init(0);
      const before = await proto.evaluate(params, testEpisodes(), { episodes: 60 });
      const optimizer = new Adam({ lr: 1e-2 });
      const weights = paramsToArrays(params);
      for (let i = 0; i < EPISODES; i++) {
        const { grads } = await proto.lossAndGrad(params, trainEpisodes.sample());
        optimizer.step(weights, paramsToArrays(grads));
        params = arraysToParams(weights);
      }
      const after = await proto.evaluate(params, testEpisodes(), { episodes: 60 });
      console.log(`ProtoNet Omniglot 5-way 1-shot (${getBackend()} backend), test split: before ${fmt(before)}, after ${EPISODES} episodes ${fmt(after)}`);
      expect(after.mean).toBeGreaterThan(0.5);
      expect(after.mean).toBeGreaterThan(before.mean + 0.15);
    },
    300_000,
  );
});

function fmt(result: { mean: number; ci95: number }): string {
  return `${(100 * result.mean).toFixed(1)}% +/- ${(100 * result.ci95).toFixed(1)}%`;
}
