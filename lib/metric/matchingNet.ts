/**
 * Matching Networks (Vinyals et al., 2016). A query attends over the support set with a softmax
 * over cosine similarities; its class distribution is the attention-weighted sum of the support
 * labels' one-hot vectors; the loss is the negative log-likelihood of the true class.
 *
 *   support emb g [s, d], query emb f [q, d]          (optionally Full Context Embeddings)
 *   attention = softmax(cosineSimilarity(f, g))        [q, s]
 *   probs     = attention x oneHot(support labels)     [q, ways]
 *   loss      = -mean_i log probs[i, y_i]
 *
 * Options: fce { embeddingDim, processingSteps } turns on Full Context Embeddings
 * (lib/metric/fullContextEmbedding.ts; parameters under 'fce.'). cosineScale s (default 1, the
 * paper) multiplies the similarities before the softmax: attention = softmax(s * cos). Cosines
 * lie in [-1, 1], so with s = 1 the attention can never be sharp (20-way 1-shot: at most
 * e / (e + 19/e) = 28% on the right support) and training is slow; a scale near 10 is the
 * usual fix ("metric scaling", as in TADAM and Baseline++'s cosine classifier).
 */
import { MAX_STEPS } from '../algorithms/options.js';
import { checkModel } from '../algorithms/inputChecks.js';
import { describeValue, optionsRecord } from '../core/args.js';
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Params } from '../algorithms/types.js';
import { ValueError } from '../errors.js';
import type { CheckedEpisode } from './episode.js';
import { embedEpisodeFlat } from './embedEpisode.js';
import { contextualQuery, contextualSupport, initFullContextEmbedding } from './fullContextEmbedding.js';
import { MetricLearner, type EmbeddingModel, type EpisodeForward } from './metricLearner.js';
import { mergeWithPrefix, withPrefix, withoutPrefixes } from './paramGroups.js';
import { LEARNER_DEFAULTS } from '../algorithms/defaults.js';

export interface MatchingNetOptions {
  /** Full Context Embeddings: the embedding's output size d and the attention LSTM's steps K >= 1. */
  fce?: { embeddingDim: number; processingSteps: number };
  /** Multiplies the cosine similarities before the attention softmax (> 0). Default 1 (the paper). */
  cosineScale?: number;
}

const FCE_PREFIX = 'fce.';
/** Keeps log() finite when an attention weight underflows in float32. */
const LOG_EPSILON = 1e-12;

export class MatchingNet extends MetricLearner {
  readonly name: string = 'matching';

  constructor(
    readonly embedding: EmbeddingModel,
    readonly options: MatchingNetOptions = {},
  ) {
    super();
    checkModel('MatchingNet: embedding', embedding);
    optionsRecord(options, 'MatchingNet: options');
    const scale = options.cosineScale;
    if (scale !== undefined && !(Number.isFinite(scale) && scale > 0)) {
      throw new ValueError(`MatchingNet: cosineScale must be a finite number > 0, got ${String(scale)}`);
    }
    const fce = options.fce;
    if (fce && (!isCount(fce.embeddingDim, 1) || !isCount(fce.processingSteps, 1))) {
      throw new ValueError(
        `MatchingNet: fce needs embeddingDim >= 1 and processingSteps >= 1 (integers up to ${MAX_STEPS}; with 0 steps the attention LSTM would output zeros), got embeddingDim ${describeValue(fce.embeddingDim)}, processingSteps ${describeValue(fce.processingSteps)}`,
      );
    }
  }

  init(seed: number, dtype?: DType): Params {
    const embedding = this.embedding.init(seed, dtype);
    const fce = this.options.fce;
    if (!fce) return embedding;
    return mergeWithPrefix(this.name, embedding, FCE_PREFIX, initFullContextEmbedding(seed + 1000, fce.embeddingDim, dtype));
  }

  protected forward(params: Params, episode: CheckedEpisode): EpisodeForward {
    const modelParams = this.options.fce ? withoutPrefixes(params, [FCE_PREFIX]) : params;
    let { support, query } = embedEpisodeFlat(this.embedding, modelParams, episode, this.name);
    if (this.options.fce) {
      const fceParams = withPrefix(params, FCE_PREFIX);
      support = contextualSupport(fceParams, support);
      query = contextualQuery(fceParams, query, support, this.options.fce.processingSteps);
    }
    const cosines = ops.cosineSimilarity(query, support); // [q, s]
    const scale = this.options.cosineScale ?? LEARNER_DEFAULTS.matching.cosineScale;
    const attention = ops.softmax(scale === 1 ? cosines : ops.mul(cosines, scale)); // [q, s]
    const probs = ops.matmul(attention, ops.oneHot(episode.support.y, episode.ways, attention)); // [q, ways]
    return { loss: negativeLogLikelihood(probs, episode.query.y, episode.ways), scores: probs };
  }
}

/** -mean_i log probs[i, labels[i]] for probs [q, ways]. */
function negativeLogLikelihood(probs: Tensor, labels: Int32Array, ways: number): Tensor {
  const picked = ops.sum(ops.mul(probs, ops.oneHot(labels, ways, probs)), 1); // [q]
  return ops.neg(ops.mean(ops.log(ops.add(picked, LOG_EPSILON))));
}

/** An integer in [min, MAX_STEPS] (sizes and step counts past that are typos, not settings). */
function isCount(value: number, min: number): boolean {
  return Number.isInteger(value) && value >= min && value <= MAX_STEPS;
}
