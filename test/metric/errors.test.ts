/** Bad episodes and mismatched embeddings give typed errors that name the algorithm and the numbers. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/core/creation.js';
import { ShapeError, ValueError } from '../../lib/errors.js';
import * as nn from '../../lib/nn/index.js';
import { MatchingNet, ProtoNet, RelationNet, SiameseNet } from '../../lib/metric/index.js';
import { IDENTITY_2D, linearEmbedding, pointEpisode, useBackend } from './helpers.js';

describe('metric learners reject bad input', () => {
  useBackend('js');
  const proto = new ProtoNet(linearEmbedding(IDENTITY_2D));
  const params = proto.init(0);

  it('a class of the episode with no support example (ValueError)', async () => {
    // labels 0 and 2 with 3 ways: class 1 has no support.
    const episode = pointEpisode([[0, 0], [1, 1]], [0, 2], [[0, 1]], [0]);
    await expect(proto.lossAndGrad(params, episode)).rejects.toThrow(ValueError);
    await expect(proto.lossAndGrad(params, episode)).rejects.toThrow(/protonet: class 1 of this 3-way episode has no support example/);
  });

  it('an empty class named by episode.classes (ValueError)', async () => {
    const episode = { ...pointEpisode([[0, 0], [1, 1]], [0, 1], [[0, 1]], [0]), classes: [7, 8, 9] };
    await expect(proto.evaluateTask(params, episode)).rejects.toThrow(/class 2 of this 3-way episode has no support example/);
  });

  it('a query label outside the episode (ValueError)', async () => {
    const episode = pointEpisode([[0, 0], [1, 1]], [0, 1], [[0, 1], [2, 2]], [0, 5]);
    await expect(proto.lossAndGrad(params, episode)).rejects.toThrow(ValueError);
    await expect(proto.lossAndGrad(params, episode)).rejects.toThrow(/query label 5 \(row 1\) is outside the episode's classes \[0, 2\)/);
  });

  it('a negative support label, an empty support or query set (ValueError)', async () => {
    await expect(proto.lossAndGrad(params, pointEpisode([[0, 0], [1, 1]], [0, -1], [[0, 1]], [0]))).rejects.toThrow(
      /support label -1 \(row 1\) is negative/,
    );
    const noQueries = pointEpisode([[0, 0]], [0], [[0, 1]], [0]);
    noQueries.query = { x: tensor([], [0, 2], 'float64'), y: new Int32Array(0) };
    await expect(proto.lossAndGrad(params, noQueries)).rejects.toThrow(/query set is empty/);
  });

  it('labels given as a Tensor, or not one per row (ValueError / ShapeError)', async () => {
    const episode = pointEpisode([[0, 0], [1, 1]], [0, 1], [[0, 1]], [0]);
    const tensorLabels = { ...episode, query: { x: episode.query.x, y: tensor([0], [1]) } };
    await expect(proto.metaGradient(params, [tensorLabels])).rejects.toThrow(/query labels must be an Int32Array/);
    const short = { ...episode, support: { x: episode.support.x, y: Int32Array.from([0]) } };
    await expect(proto.lossAndGrad(params, short)).rejects.toThrow(ShapeError);
  });

  it('support and query inputs of different shapes (ShapeError)', async () => {
    const episode = pointEpisode([[0, 0], [1, 1]], [0, 1], [[0, 1, 2]], [0]);
    await expect(proto.lossAndGrad(params, episode)).rejects.toThrow(/support x \[2, 2\] and query x \[1, 3\] differ/);
  });

  it('embedding dimension mismatches (ShapeError naming the sizes)', async () => {
    const episode = pointEpisode([[0, 0], [1, 1]], [0, 1], [[0, 1]], [0]);
    const embedding = linearEmbedding(IDENTITY_2D); // 2 features
    const siamese = new SiameseNet(embedding, { embeddingDim: 3 });
    await expect(siamese.lossAndGrad(siamese.init(0, 'float64'), episode)).rejects.toThrow(
      /SiameseNet: the embedding gives 2 features per example but the distance weights were built for embeddingDim 3/,
    );
    const relation = new RelationNet(embedding, { embeddingDim: 4 });
    await expect(relation.lossAndGrad(relation.init(0, 'float64'), episode)).rejects.toThrow(ShapeError);
    const matching = new MatchingNet(embedding, { fce: { embeddingDim: 5, processingSteps: 1 } });
    await expect(matching.lossAndGrad(matching.init(0, 'float64'), episode)).rejects.toThrow(
      /embeddings have dimension 2 .* built for 5/,
    );
  });

  it('bad options (ValueError)', async () => {
    const mlp = nn.mlp([2, 2]);
    expect(() => new SiameseNet(mlp)).toThrow(/verification loss needs embeddingDim/);
    expect(() => new SiameseNet(mlp, { loss: 'contrastive', margin: 0 })).toThrow(/margin must be > 0/);
    expect(() => new RelationNet(mlp)).toThrow(/default relation MLP needs embeddingDim/);
    expect(() => new MatchingNet(mlp, { fce: { embeddingDim: 0, processingSteps: 1 } })).toThrow(ValueError);
    expect(() => new MatchingNet(mlp, { fce: { embeddingDim: 2, processingSteps: 0 } })).toThrow(/processingSteps >= 1/);
    await expect(proto.evaluate(params, { sample: () => pointEpisode([[0, 0]], [0], [[0, 0]], [0]) }, { episodes: 0 })).rejects.toThrow(
      /episodes must be an integer >= 1/,
    );
  });

  it('the triplet loss needs two classes (ValueError)', async () => {
    const siamese = new SiameseNet(linearEmbedding(IDENTITY_2D), { loss: 'triplet' });
    const oneWay = pointEpisode([[0, 0]], [0], [[0, 1]], [0]);
    await expect(siamese.lossAndGrad(siamese.init(0), oneWay)).rejects.toThrow(/needs two or more classes/);
  });
});
