/**
 * RelationNet's conv relation module (the paper's: two conv blocks then FC -> FC 1): its output
 * against a plain-loop reference implementation, the whole-episode gradient against central
 * finite differences in float64, a hand-checked loss, and typed errors for wrong shapes.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/core/creation.js';
import type { Tensor } from '../../lib/core/tensor.js';
import type { Params } from '../../lib/algorithms/types.js';
import { ShapeError, ValueError } from '../../lib/errors.js';
import * as nn from '../../lib/nn/index.js';
import * as ops from '../../lib/ops/index.js';
import { RelationNet, convRelationModule, type EmbeddingModel } from '../../lib/metric/index.js';
import { BACKENDS, finiteDifferenceGradient, maxRelativeError, randomValues, useBackend } from './helpers.js';

/** x [n, 1, 4, 4] -> maps [n, 2, 4, 4]: one 3x3 conv (pad 1) with 2 filters, then tanh (smooth for FD). */
function mapEmbedding(): EmbeddingModel {
  return {
    init: () => ({ weight: tensor(randomValues(18, 3), [2, 1, 3, 3], 'float64'), bias: tensor([0.1, -0.2], [2], 'float64') }),
    apply: (p: Params, x: Tensor) => ops.tanh(ops.conv2d(x, p.weight, p.bias, { padding: 1 })),
  };
}

/** A 3-way episode of 4x4 single-channel images: supports 2, 1, 2 per class, 4 queries. */
function imageEpisode(seed: number) {
  return {
    support: { x: tensor(randomValues(5 * 16, seed), [5, 1, 4, 4], 'float64'), y: Int32Array.from([0, 0, 1, 2, 2]) },
    query: { x: tensor(randomValues(4 * 16, seed + 1), [4, 1, 4, 4], 'float64'), y: Int32Array.from([2, 0, 1, 1]) },
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`RelationNet conv relation module on the ${backend.name} backend ${backend.reason}`, () => {
    it('the module matches a plain-loop reference (conv 3x3 pad 1, batch norm, ReLU, max-pool, twice; FC, ReLU, FC)', () => {
      useBackend(backend.name);
      const module = convRelationModule({ channels: 1, side: 4, filters: 2, hidden: 3 });
      const params = module.init(7, 'float64');
      const input = randomValues(3 * 2 * 16, 8);
      const got = module.apply(params, tensor(input, [3, 2, 4, 4], 'float64')).toArray();
      const expected = referenceRelation(toArrays(params), input, 3);
      expect(got.length).toBe(3);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
    });

    it('whole-episode gradient (embedding and relation module) vs central finite differences, float64', async () => {
      useBackend(backend.name);
      const learner = new RelationNet(mapEmbedding(), { relationModule: 'conv', embeddingShape: [2, 4, 4], filters: 2, hidden: 3 });
      const params = learner.init(9, 'float64');
      const episode = imageEpisode(90);
      const { grads } = await learner.lossAndGrad(params, episode);
      const expected = await finiteDifferenceGradient(async (p) => (await learner.evaluateTask(p, episode)).loss, params);
      expect(Object.keys(grads).sort()).toEqual(Object.keys(params).sort());
      expect(Object.keys(params)).toContain('relation.block1.conv.weight');
      expect(maxRelativeError(grads, expected)).toBeLessThan(1e-6);
    });

    it('hand-checked loss: with fc2 weight 0 and bias b every pair scores sigmoid(b)', async () => {
      useBackend(backend.name);
      const learner = new RelationNet(mapEmbedding(), { relationModule: 'conv', embeddingShape: [2, 4, 4], filters: 2, hidden: 3 });
      const params = { ...learner.init(9, 'float64'), 'relation.fc2.weight': tensor([0, 0, 0], [1, 3], 'float64'), 'relation.fc2.bias': tensor([0.4], [1], 'float64') };
      // 3 ways: per query one target 1 and two targets 0 -> loss = ((s - 1)^2 + 2 s^2) / 3, s = sigmoid(0.4).
      const s = sigmoid(0.4);
      const { loss } = await learner.lossAndGrad(params, imageEpisode(91));
      expect(loss).toBeCloseTo(((s - 1) ** 2 + 2 * s ** 2) / 3, 12);
    });

    it('typed errors: no map shape, non-square or too small maps, a flat embedding', async () => {
      useBackend(backend.name);
      expect(() => new RelationNet(mapEmbedding(), { relationModule: 'conv' })).toThrow(ValueError);
      expect(() => new RelationNet(mapEmbedding(), { relationModule: 'conv', embeddingShape: [2, 4, 5] })).toThrow(/needs embeddingShape \[C, S, S\]/);
      expect(() => new RelationNet(mapEmbedding(), { relationModule: 'conv', embeddingShape: [2, 3, 3] })).toThrow(/side must be an integer >= 4, got 3/);
      expect(() => new RelationNet(mapEmbedding(), { relationModule: 'cnn' as 'conv' })).toThrow(/relationModule must be one of mlp, conv/);
      const flat = new RelationNet(nn.mlp([16, 8]), { relationModule: 'conv', embeddingShape: [4, 4, 4] });
      const episode = { support: { x: tensor(randomValues(32, 1), [2, 16], 'float64'), y: Int32Array.from([0, 1]) }, query: { x: tensor(randomValues(16, 2), [1, 16], 'float64'), y: Int32Array.from([1]) } };
      await expect(flat.lossAndGrad(flat.init(0, 'float64'), episode)).rejects.toThrow(ShapeError);
      await expect(flat.lossAndGrad(flat.init(0, 'float64'), episode)).rejects.toThrow(/needs embedding maps \[n, 4, 4, 4\], the embedding gives \[2, 8\]/);
    });
  });
}

function toArrays(params: Params): Record<string, number[]> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v.toArray())]));
}

/** Plain loops: x is [n, c, s, s] row-major; returns [n, o, s, s]. */
function conv3x3(x: number[], n: number, c: number, s: number, w: number[], b: number[], o: number): number[] {
  const out = new Array<number>(n * o * s * s).fill(0);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < o; f++)
      for (let r = 0; r < s; r++)
        for (let col = 0; col < s; col++) {
          let acc = b[f];
          for (let ch = 0; ch < c; ch++)
            for (let dr = -1; dr <= 1; dr++)
              for (let dc = -1; dc <= 1; dc++) {
                const rr = r + dr;
                const cc = col + dc;
                if (rr < 0 || rr >= s || cc < 0 || cc >= s) continue;
                acc += x[((i * c + ch) * s + rr) * s + cc] * w[((f * c + ch) * 3 + dr + 1) * 3 + dc + 1];
              }
          out[((i * o + f) * s + r) * s + col] = acc;
        }
  return out;
}

/** Batch norm over (n, h, w) per channel (biased variance, eps 1e-5), then ReLU. */
function batchNormRelu(x: number[], n: number, c: number, s: number, gamma: number[], beta: number[]): number[] {
  const out = [...x];
  for (let ch = 0; ch < c; ch++) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < s * s; k++) idx.push((i * c + ch) * s * s + k);
    const mean = idx.reduce((a, j) => a + x[j], 0) / idx.length;
    const variance = idx.reduce((a, j) => a + (x[j] - mean) ** 2, 0) / idx.length;
    for (const j of idx) out[j] = Math.max(0, ((x[j] - mean) / Math.sqrt(variance + 1e-5)) * gamma[ch] + beta[ch]);
  }
  return out;
}

/** 2x2 max-pool, stride 2: [n, c, s, s] -> [n, c, s/2, s/2]. */
function maxPool(x: number[], n: number, c: number, s: number): number[] {
  const h = Math.floor(s / 2);
  const out: number[] = [];
  for (let i = 0; i < n * c; i++)
    for (let r = 0; r < h; r++)
      for (let col = 0; col < h; col++) {
        const at = (dr: number, dc: number) => x[(i * s + 2 * r + dr) * s + 2 * col + dc];
        out.push(Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1)));
      }
  return out;
}

/** The relation module on pairs [n, 2, 4, 4] with 2 filters and hidden 3 -> n logits. */
function referenceRelation(p: Record<string, number[]>, input: number[], n: number): number[] {
  // 2 input channels (a class map and a query map of 1 channel each), 2 filters per block.
  let h = input;
  let side = 4;
  for (const block of ['block0', 'block1']) {
    h = conv3x3(h, n, 2, side, p[`${block}.conv.weight`], p[`${block}.conv.bias`], 2);
    h = batchNormRelu(h, n, 2, side, p[`${block}.bn.weight`], p[`${block}.bn.bias`]);
    h = maxPool(h, n, 2, side);
    side /= 2;
  }
  // h: [n, 2] (1x1 maps) -> fc1 [3, 2] -> ReLU -> fc2 [1, 3].
  return Array.from({ length: n }, (_, i) => {
    const hidden = [0, 1, 2].map((k) => Math.max(0, p['fc1.bias'][k] + p['fc1.weight'][2 * k] * h[2 * i] + p['fc1.weight'][2 * k + 1] * h[2 * i + 1]));
    return p['fc2.bias'][0] + hidden.reduce((a, v, k) => a + v * p['fc2.weight'][k], 0);
  });
}
