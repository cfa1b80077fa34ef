/**
 * Siamese Networks (Koch, Zemel and Salakhutdinov, 2015). A twin (shared) embedding maps both
 * inputs of a pair; the verification logit is a learned weighted L1 distance,
 *   logit(a, b) = |e(a) - e(b)| . w + bias,   P(same class) = sigmoid(logit),
 * trained with binary cross-entropy over all (query, support) pairs of an episode (unweighted:
 * an N-way episode has about N-1 different-class pairs per same-class pair). One-shot
 * classification: each query takes the class of its highest-scoring support.
 *
 * Option loss: 'verification' (default, the paper's), or embedding training with
 * 'contrastive' or 'triplet' (with `margin`, lib/metric/siameseLosses.ts); those score a pair by
 * its negative squared Euclidean distance, so prediction is the nearest support.
 * Verification parameters: 'siamese.weight' [d, 1], 'siamese.bias' [1].
 */
import { checkModel } from '../algorithms/inputChecks.js';
import { describeValue, optionsRecord } from '../core/args.js';
import type { DType } from '../backend/types.js';
import { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Params } from '../algorithms/types.js';
import { ShapeError, ValueError } from '../errors.js';
import type { CheckedEpisode } from './episode.js';
import { embedEpisodeFlat } from './embedEpisode.js';
import { argmaxRows, MetricLearner, type EmbeddingModel, type EpisodeForward } from './metricLearner.js';
import { allPairs } from './pairs.js';
import { mergeWithPrefix, withPrefix, withoutPrefixes } from './paramGroups.js';
import { contrastiveLoss, tripletLoss, verificationLoss } from './siameseLosses.js';
import { randUniform } from '../core/creation.js';
import { typedArrayFor } from '../core/typedArray.js';
import { LEARNER_DEFAULTS } from '../algorithms/defaults.js';

export type SiameseLoss = 'verification' | 'contrastive' | 'triplet';

export interface SiameseNetOptions {
  /** Default 'verification'. */
  loss?: SiameseLoss;
  /** The embedding's flattened output size d; required for 'verification' (the size of w). */
  embeddingDim?: number;
  /** Margin of the contrastive and triplet losses. Default 1. */
  margin?: number;
}

const SIAMESE_PREFIX = 'siamese.';
export const SIAMESE_LOSSES: readonly SiameseLoss[] = ['verification', 'contrastive', 'triplet'];

export class SiameseNet extends MetricLearner {
  readonly name: string = 'siamese';
  readonly loss: SiameseLoss;
  readonly margin: number;
  private readonly embeddingDim?: number;

  constructor(
    readonly embedding: EmbeddingModel,
    options: SiameseNetOptions = {},
  ) {
    super();
    checkModel('SiameseNet: embedding', embedding);
    optionsRecord(options, 'SiameseNet: options');
    this.loss = options.loss ?? LEARNER_DEFAULTS.siamese.loss;
    this.margin = options.margin ?? LEARNER_DEFAULTS.siamese.margin;
    if (!SIAMESE_LOSSES.includes(this.loss)) {
      throw new ValueError(`SiameseNet: loss must be one of ${SIAMESE_LOSSES.join(', ')}, got '${String(this.loss)}'`);
    }
    if (typeof this.margin !== 'number' || !(this.margin > 0)) throw new ValueError(`SiameseNet: margin must be > 0, got ${describeValue(this.margin)}`);
    const d = options.embeddingDim;
    if (this.loss === 'verification' && (d === undefined || !Number.isInteger(d) || d < 1)) {
      throw new ValueError(`SiameseNet: the verification loss needs embeddingDim (an integer >= 1), got ${describeValue(d)}`);
    }
    this.embeddingDim = d;
  }

  init(seed: number, dtype?: DType): Params {
    const embedding = this.embedding.init(seed, dtype);
    if (this.loss !== 'verification') return embedding;
    const d = this.embeddingDim as number;
    const bound = 1 / Math.sqrt(d);
    const head = { weight: randUniform([d, 1], seed + 1000, -bound, bound, dtype), bias: randUniform([1], seed + 1001, -bound, bound, dtype) };
    return mergeWithPrefix(this.name, embedding, SIAMESE_PREFIX, head);
  }

  /** Scores are [queries, supports]: a query's class is that of its best support. */
  protected override predictClasses(scores: ArrayLike<number>, episode: CheckedEpisode): Int32Array {
    const best = argmaxRows(scores, episode.query.y.length, episode.support.y.length);
    return best.map((j) => episode.support.y[j]);
  }

  /**
   * predict()'s class scores [queries, ways]: each class's best pair score over its supports,
   * so the argmax is the class of the best support, as predictClasses counts (exact ties
   * between classes go to the lower class id).
   */
  protected override queryScores(params: Params, episode: CheckedEpisode): Tensor {
    const pairScores = this.forward(params, episode).scores; // [q, s]
    const q = episode.query.y.length;
    const s = episode.support.y.length;
    const values = pairScores.toArray();
    const best = typedArrayFor(pairScores.dtype, q * episode.ways).fill(-Infinity);
    for (let i = 0; i < q; i++) {
      for (let j = 0; j < s; j++) {
        const cell = i * episode.ways + episode.support.y[j];
        best[cell] = Math.max(best[cell], values[i * s + j]);
      }
    }
    const { backend } = pairScores;
    return Tensor.fromHandle(backend, backend.fromArray(best, [q, episode.ways]), [q, episode.ways], pairScores.dtype);
  }

  protected forward(params: Params, episode: CheckedEpisode): EpisodeForward {
    const modelParams = this.loss === 'verification' ? withoutPrefixes(params, [SIAMESE_PREFIX]) : params;
    const { support, query } = embedEpisodeFlat(this.embedding, modelParams, episode, this.name);
    const labels = { queryY: episode.query.y, supportY: episode.support.y };
    if (this.loss === 'verification') {
      const logits = this.verificationLogits(withPrefix(params, SIAMESE_PREFIX), query, support);
      return { loss: verificationLoss(logits, labels), scores: logits };
    }
    const squared = ops.squaredEuclidean(query, support); // [q, s]
    const loss = this.loss === 'contrastive' ? contrastiveLoss(squared, labels, this.margin) : tripletLoss(squared, labels, this.margin);
    return { loss, scores: ops.neg(squared) };
  }

  /** |query_i - support_j| . w + bias for every pair: query [q, d], support [s, d] -> [q, s]. */
  private verificationLogits(head: Params, query: Tensor, support: Tensor): Tensor {
    const d = query.shape[1];
    if (d !== this.embeddingDim) {
      throw new ShapeError(
        `SiameseNet: the embedding gives ${d} features per example but the distance weights were built for embeddingDim ${this.embeddingDim}`,
      );
    }
    const pairs = allPairs(query, support); // [q * s, d] each
    const l1 = ops.abs(ops.sub(pairs.query, pairs.reference));
    const logits = ops.add(ops.matmul(l1, head.weight), head.bias); // [q * s, 1]
    return ops.reshape(logits, [query.shape[0], support.shape[0]]);
  }
}
