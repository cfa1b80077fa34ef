/**
 * Whole-episode loss gradients of every metric learner (and the LSTM cell of Matching Networks'
 * Full Context Embeddings) against central finite differences, in float64, on every backend.
 * The distance / prototype / cosine kernels are composites of core primitives whose own FD
 * checks live in test/core; here they are checked as used: inside each learner's loss.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/core/creation.js';
import { grad } from '../../lib/core/transforms.js';
import type { Params } from '../../lib/algorithms/types.js';
import * as nn from '../../lib/nn/index.js';
import * as ops from '../../lib/ops/index.js';
import { MatchingNet, ProtoNet, RelationNet, SiameseNet, initLSTMCell, lstmCell } from '../../lib/metric/index.js';
import type { MetricLearner } from '../../lib/metric/metricLearner.js';
import type { Episode } from '../../lib/metric/episode.js';
import { BACKENDS, finiteDifferenceGradient, maxRelativeError, randomValues, useBackend } from './helpers.js';

/** 3-way episode of 4-D inputs: supports 2, 1, 2 per class (imbalanced), 4 queries. */
function tinyEpisode(seed: number): Episode {
  const supportY = Int32Array.from([0, 0, 1, 2, 2]);
  const queryY = Int32Array.from([2, 0, 1, 1]);
  return {
    support: { x: tensor(randomValues(5 * 4, seed), [5, 4], 'float64'), y: supportY },
    query: { x: tensor(randomValues(4 * 4, seed + 1), [4, 4], 'float64'), y: queryY },
  };
}

async function checkAgainstFiniteDifferences(learner: MetricLearner, params: Params, episode: Episode): Promise<void> {
  const { grads } = await learner.lossAndGrad(params, episode);
  const lossAt = async (p: Params) => (await learner.evaluateTask(p, episode)).loss;
  const expected = await finiteDifferenceGradient(lossAt, params);
  expect(Object.keys(grads).sort()).toEqual(Object.keys(params).sort());
  expect(maxRelativeError(grads, expected)).toBeLessThan(1e-6);
}

/** An MLP embedding 4 -> 5 -> 3 (tanh-free ReLU net; random inputs keep clear of the kink). */
const embedding = () => nn.mlp([4, 5, 3]);

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`metric gradients vs finite differences on the ${backend.name} backend ${backend.reason}`, () => {
    it('ProtoNet loss', async () => {
      useBackend(backend.name);
      const learner = new ProtoNet(embedding());
      await checkAgainstFiniteDifferences(learner, learner.init(1, 'float64'), tinyEpisode(10));
    });

    it('MatchingNet loss (plain attention)', async () => {
      useBackend(backend.name);
      const learner = new MatchingNet(embedding());
      await checkAgainstFiniteDifferences(learner, learner.init(2, 'float64'), tinyEpisode(20));
    });

    it('MatchingNet loss with Full Context Embeddings (bidirectional LSTM + attention LSTM, 2 steps)', async () => {
      useBackend(backend.name);
      // A 2-D embedding keeps the LSTMs (and the finite-difference loop over their weights) small.
      const learner = new MatchingNet(nn.mlp([4, 3, 2]), { fce: { embeddingDim: 2, processingSteps: 2 } });
      await checkAgainstFiniteDifferences(learner, learner.init(3, 'float64'), tinyEpisode(30));
    });

    it('RelationNet loss (default MLP relation module)', async () => {
      useBackend(backend.name);
      const learner = new RelationNet(embedding(), { embeddingDim: 3, hidden: 4 });
      await checkAgainstFiniteDifferences(learner, learner.init(4, 'float64'), tinyEpisode(40));
    });

    it('SiameseNet verification, contrastive and triplet losses', async () => {
      useBackend(backend.name);
      for (const options of [
        { embeddingDim: 3 },
        { loss: 'contrastive' as const, margin: 3 },
        { loss: 'triplet' as const, margin: 2 },
      ]) {
        const learner = new SiameseNet(embedding(), options);
        await checkAgainstFiniteDifferences(learner, learner.init(5, 'float64'), tinyEpisode(50));
      }
    });

    it('LSTM cell: gradient of a weighted sum of (h, c) after two steps, w.r.t. weights and input', () => {
      useBackend(backend.name);
      const cell = initLSTMCell(6, 3, 2, 'float64');
      const params: Params = { ...cell, x: tensor(randomValues(6, 60), [2, 3], 'float64') };
      const weights = tensor(randomValues(4, 61), [2, 2], 'float64');
      const f = (p: Params) => {
        const zero = tensor([0, 0, 0, 0], [2, 2], 'float64');
        const first = lstmCell(p, p.x, { h: zero, c: zero });
        const second = lstmCell(p, ops.mul(p.x, 0.5), first);
        return ops.sum(ops.mul(ops.add(second.h, ops.mul(second.c, 0.3)), weights));
      };
      const expected = finiteDifferenceSync((p) => f(p).item(), params);
      expect(maxRelativeError(grad(f)(params), expected)).toBeLessThan(1e-7);
    });
  });
}

function finiteDifferenceSync(f: (p: Params) => number, params: Params, h = 1e-6): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [name, value] of Object.entries(params)) {
    const base = Float64Array.from(value.toArray());
    out[name] = base.map((_, i) => {
      const at = (delta: number) => {
        const values = Float64Array.from(base);
        values[i] += delta;
        return f({ ...params, [name]: tensor(values, value.shape, 'float64') });
      };
      return (at(h) - at(-h)) / (2 * h);
    });
  }
  return out;
}
