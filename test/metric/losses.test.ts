/**
 * Each metric learner's loss on a tiny episode against a value computed by hand. Embeddings are
 * the identity on 2-D points, so every distance below can be checked with pencil and paper.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/core/creation.js';
import type { Tensor } from '../../lib/core/tensor.js';
import type { Params } from '../../lib/algorithms/types.js';
import { MatchingNet, ProtoNet, RelationNet, SiameseNet } from '../../lib/metric/index.js';
import type { EmbeddingModel } from '../../lib/metric/metricLearner.js';
import * as ops from '../../lib/ops/index.js';
import { BACKENDS, IDENTITY_2D, linearEmbedding, pointEpisode, useBackend } from './helpers.js';

const softplus = (x: number) => Math.log1p(Math.exp(x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`metric losses by hand on the ${backend.name} backend ${backend.reason}`, () => {
    it('ProtoNet: 2-way 1-shot, identity embedding', async () => {
      useBackend(backend.name);
      // prototypes: class 0 = (0,0), class 1 = (2,0).
      // query (0.5,0), label 0: squared distances 0.25, 2.25 -> logits (-0.25, -2.25)
      //   loss = -log softmax_0 = log(1 + e^(-2.25 + 0.25)) = log(1 + e^-2) = 0.126928
      // query (2,1), label 1: squared distances 4 + 1 = 5, 0 + 1 = 1 -> loss = log(1 + e^-4) = 0.018150
      // mean 0.0725390; both queries nearest their own prototype -> accuracy 1.
      const learner = new ProtoNet(linearEmbedding(IDENTITY_2D));
      const episode = pointEpisode([[0, 0], [2, 0]], [0, 1], [[0.5, 0], [2, 1]], [0, 1]);
      const { loss, accuracy, grads } = await learner.lossAndGrad(learner.init(0), episode);
      expect(loss).toBeCloseTo((softplus(-2) + softplus(-4)) / 2, 10);
      expect(loss).toBeCloseTo(0.0725390, 6);
      expect(accuracy).toBe(1);
      expect(grads.weight.shape).toEqual([2, 2]);
    });

    it('ProtoNet: prototypes are class means (2-way 2-shot)', async () => {
      useBackend(backend.name);
      // class 0 supports (0,0), (0,2) -> prototype (0,1); class 1 supports (2,0), (4,0) -> (3,0).
      // query (0,1), label 0: distances 0 and 9 + 1 = 10 -> loss log(1 + e^-10) = 4.53989e-5.
      // query (0,0), label 1 (deliberately wrong): distances 1 and 9 -> loss log(1 + e^8) = 8.000335
      // mean 4.000190, accuracy 0.5.
      const learner = new ProtoNet(linearEmbedding(IDENTITY_2D));
      const episode = pointEpisode([[0, 0], [2, 0], [0, 2], [4, 0]], [0, 1, 0, 1], [[0, 1], [0, 0]], [0, 1]);
      const score = await learner.evaluateTask(learner.init(0), episode);
      expect(score.loss).toBeCloseTo((softplus(-10) + softplus(8)) / 2, 9);
      expect(score.accuracy).toBe(0.5);
    });

    it('ProtoNet: the number of ways comes from each episode (train-way may exceed test-way)', async () => {
      useBackend(backend.name);
      const learner = new ProtoNet(linearEmbedding(IDENTITY_2D));
      const params = learner.init(0);
      // 3-way: prototypes (0,0), (2,0), (0,2); query (0,2) label 2: distances 4, 8, 0
      //   loss = log(1 + e^-4 + e^-8) = 0.018484
      const threeWay = pointEpisode([[0, 0], [2, 0], [0, 2]], [0, 1, 2], [[0, 2]], [2]);
      expect((await learner.lossAndGrad(params, threeWay)).loss).toBeCloseTo(Math.log(1 + Math.exp(-4) + Math.exp(-8)), 9);
      // 2-way with the same parameters: prototypes (0,0), (2,0); query (0,2) label 0: distances 4, 8
      //   loss = log(1 + e^-4) = 0.018150
      const twoWay = pointEpisode([[0, 0], [2, 0]], [0, 1], [[0, 2]], [0]);
      expect((await learner.evaluateTask(params, twoWay)).loss).toBeCloseTo(Math.log(1 + Math.exp(-4)), 9);
    });

    it('MatchingNet: softmax over cosine similarities', async () => {
      useBackend(backend.name);
      // supports (1,0) class 0, (0,1) class 1.
      // query (2,0), label 0: cosines (1, 0) -> attention (e/(e+1), 1/(e+1)) = (0.731059, 0.268941)
      //   loss -log 0.731059 = 0.313262
      // query (1,3), label 1: cosines (1/sqrt10, 3/sqrt10) = (0.316228, 0.948683)
      //   p1 = 1 / (1 + e^-(0.948683 - 0.316228)) = 0.653046, loss -log p1 = 0.426108
      // mean 0.369685 (the 1e-12 inside the log is far below this precision).
      const learner = new MatchingNet(linearEmbedding(IDENTITY_2D));
      const episode = pointEpisode([[1, 0], [0, 1]], [0, 1], [[2, 0], [1, 3]], [0, 1]);
      const { loss, accuracy } = await learner.lossAndGrad(learner.init(0), episode);
      const p1 = sigmoid(3 / Math.sqrt(10) - 1 / Math.sqrt(10));
      expect(loss).toBeCloseTo((-Math.log(sigmoid(1)) - Math.log(p1)) / 2, 8);
      expect(loss).toBeCloseTo(0.369685, 5);
      expect(accuracy).toBe(1);
    });

    it('MatchingNet with cosineScale 10: softmax over 10 x the cosines', async () => {
      useBackend(backend.name);
      // Same episode as above. query (2,0): scaled cosines (10, 0) -> attention on class 0
      //   sigmoid(10) = 0.9999546, loss 4.53989e-5.
      // query (1,3): scaled cosines (3.16228, 9.48683) -> p1 = sigmoid(6.32456) = 0.998211, loss 0.0017902.
      // mean 0.00091778: the scale sharpens the attention (the paper's scale 1 gives 0.369685).
      const learner = new MatchingNet(linearEmbedding(IDENTITY_2D), { cosineScale: 10 });
      const episode = pointEpisode([[1, 0], [0, 1]], [0, 1], [[2, 0], [1, 3]], [0, 1]);
      const { loss, accuracy } = await learner.lossAndGrad(learner.init(0), episode);
      const p1 = sigmoid(10 * (3 / Math.sqrt(10) - 1 / Math.sqrt(10)));
      expect(loss).toBeCloseTo((-Math.log(sigmoid(10)) - Math.log(p1)) / 2, 8);
      expect(loss).toBeCloseTo(0.00091778, 7);
      expect(accuracy).toBe(1);
      expect(() => new MatchingNet(linearEmbedding(IDENTITY_2D), { cosineScale: 0 })).toThrow(/cosineScale must be a finite number > 0, got 0/);
    });

    it('RelationNet: sigmoid relation scores, MSE to one-hot, class feature = sum of its supports', async () => {
      useBackend(backend.name);
      // relation(pair) = pair . (1, -1, 0.5, 0) - 1 with pair = (class feature, query).
      // class 0 supports (1,0), (0,0) -> sum (1,0); class 1 supports (0,1), (0,1) -> sum (0,2).
      // query (2,0), label 0:
      //   pair 0 = (1,0,2,0): 1 - 0 + 1 - 1 = 1  -> sigmoid 0.731059, target 1
      //   pair 1 = (0,2,2,0): 0 - 2 + 1 - 1 = -2 -> sigmoid 0.119203, target 0
      // loss = ((0.731059 - 1)^2 + 0.119203^2) / 2 = 0.0432694 (the class mean (0,1) would give -1 instead of -2).
      const relation: EmbeddingModel = {
        init: () => ({ weight: tensor([1, -1, 0.5, 0], [4, 1], 'float64'), bias: tensor([-1], [1], 'float64') }),
        apply: (p: Params, pairs: Tensor) => ops.add(ops.matmul(pairs, p.weight), p.bias),
      };
      const learner = new RelationNet(linearEmbedding(IDENTITY_2D), { relation });
      const episode = pointEpisode([[1, 0], [0, 1], [0, 0], [0, 1]], [0, 1, 0, 1], [[2, 0]], [0]);
      const { loss, accuracy } = await learner.lossAndGrad(learner.init(0), episode);
      expect(loss).toBeCloseTo(((sigmoid(1) - 1) ** 2 + sigmoid(-2) ** 2) / 2, 10);
      expect(loss).toBeCloseTo(0.0432694, 6);
      expect(accuracy).toBe(1);
    });

    describe('SiameseNet', () => {
      // supports (0,0) class 0, (2,0) class 1; query (0.5,0) label 0.
      const episode = () => pointEpisode([[0, 0], [2, 0]], [0, 1], [[0.5, 0]], [0]);

      it('verification: weighted L1 distance, binary cross-entropy with logits', async () => {
        useBackend(backend.name);
        // w = (-1, -1), bias = 1: logit = 1 - |dx| - |dy|.
        // pair with (0,0): |diff| = (0.5, 0) -> logit 0.5, target 1 -> softplus(-0.5) = 0.474077
        // pair with (2,0): |diff| = (1.5, 0) -> logit -0.5, target 0 -> softplus(-0.5) = 0.474077
        // best-scoring support is (0,0), class 0 -> accuracy 1.
        const learner = new SiameseNet(linearEmbedding(IDENTITY_2D), { embeddingDim: 2 });
        const params = {
          ...learner.init(0, 'float64'),
          'siamese.weight': tensor([-1, -1], [2, 1], 'float64'),
          'siamese.bias': tensor([1], [1], 'float64'),
        };
        const { loss, accuracy } = await learner.lossAndGrad(params, episode());
        expect(loss).toBeCloseTo(softplus(-0.5), 10);
        expect(loss).toBeCloseTo(0.474077, 6);
        expect(accuracy).toBe(1);
      });

      it('contrastive: same * D^2 + (1 - same) * max(0, margin - D)^2, averaged over pairs', async () => {
        useBackend(backend.name);
        // margin 2. D to (0,0) = 0.5 (same): 0.25. D to (2,0) = 1.5 (different): (2 - 1.5)^2 = 0.25. mean 0.25.
        const learner = new SiameseNet(linearEmbedding(IDENTITY_2D), { loss: 'contrastive', margin: 2 });
        const { loss, accuracy } = await learner.lossAndGrad(learner.init(0), episode());
        expect(loss).toBeCloseTo(0.25, 9);
        expect(accuracy).toBe(1);
      });

      it('triplet: max(0, D(a,p) - D(a,n) + margin) with squared distances, averaged over triplets', async () => {
        useBackend(backend.name);
        // margin 3. query (0.5,0): D^2 = 0.25 (positive), 2.25 (negative) -> 0.25 - 2.25 + 3 = 1.
        // query (2,1), label 1: D^2 = 5 (negative (0,0)), 1 (positive (2,0)) -> 1 - 5 + 3 = -1 -> 0.
        // mean over the 2 triplets: 0.5.
        const learner = new SiameseNet(linearEmbedding(IDENTITY_2D), { loss: 'triplet', margin: 3 });
        const twoQueries = pointEpisode([[0, 0], [2, 0]], [0, 1], [[0.5, 0], [2, 1]], [0, 1]);
        const { loss, accuracy } = await learner.lossAndGrad(learner.init(0), twoQueries);
        expect(loss).toBeCloseTo(0.5, 10);
        expect(accuracy).toBe(1);
      });
    });
  });
}
