/**
 * Prototypical Networks (Snell et al., 2017). Each class's prototype is the mean of its embedded
 * support examples; a query's class scores are its negative squared Euclidean distances to the
 * prototypes; the loss is softmax cross-entropy over those scores.
 *
 *   support emb [s, d], query emb [q, d]
 *   prototypes  = per-class mean of support emb     [ways, d]
 *   logits      = -squaredEuclidean(query, protos)  [q, ways]
 *   loss        = crossEntropy(logits, query labels)
 *
 * The number of ways is read from each episode, so training may use more ways than testing
 * (the paper trains 60-way, tests 5- or 20-way). Parameters are exactly the embedding's.
 */
import { checkModel } from '../algorithms/inputChecks.js';
import type { DType } from '../backend/types.js';
import * as ops from '../ops/index.js';
import type { Params } from '../algorithms/types.js';
import type { CheckedEpisode } from './episode.js';
import { embedEpisodeFlat } from './embedEpisode.js';
import { MetricLearner, type EmbeddingModel, type EpisodeForward } from './metricLearner.js';

export class ProtoNet extends MetricLearner {
  readonly name: string = 'protonet';

  constructor(readonly embedding: EmbeddingModel) {
    super();
    checkModel('ProtoNet: embedding', embedding);
  }

  init(seed: number, dtype?: DType): Params {
    return this.embedding.init(seed, dtype);
  }

  protected forward(params: Params, episode: CheckedEpisode): EpisodeForward {
    const { support, query } = embedEpisodeFlat(this.embedding, params, episode, this.name);
    const prototypes = ops.prototypes(support, episode.support.y, episode.ways);
    const logits = ops.neg(ops.squaredEuclidean(query, prototypes));
    return { loss: ops.crossEntropy(logits, episode.query.y), scores: logits };
  }
}
