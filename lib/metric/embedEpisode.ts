/**
 * Embeds an episode's support and query inputs with one model call on the concatenated batch
 * (as the original ProtoNet code does), so batch-norm statistics cover the whole episode.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Params } from '../algorithms/types.js';
import { ShapeError } from '../errors.js';
import type { CheckedEpisode } from './episode.js';
import type { EmbeddingModel } from './metricLearner.js';

export interface EpisodeEmbeddings {
  /** [supports, ...features] */
  support: Tensor;
  /** [queries, ...features] */
  query: Tensor;
}

/** Embeddings as the model returns them (feature maps stay [n, C, H, W]). */
export function embedEpisode(model: EmbeddingModel, params: Params, episode: CheckedEpisode, algorithm: string): EpisodeEmbeddings {
  const s = episode.support.y.length;
  const q = episode.query.y.length;
  const both = model.apply(params, ops.concat([episode.support.x, episode.query.x], 0));
  if (both.shape[0] !== s + q) {
    throw new ShapeError(
      `${algorithm}: the embedding mapped ${s + q} inputs to shape [${both.shape.join(', ')}] (need ${s + q} rows)`,
    );
  }
  return { support: ops.slice(both, 0, 0, s), query: ops.slice(both, 0, s, s + q) };
}

/** Embeddings flattened to vectors: support [supports, d], query [queries, d]. */
export function embedEpisodeFlat(model: EmbeddingModel, params: Params, episode: CheckedEpisode, algorithm: string): EpisodeEmbeddings {
  const { support, query } = embedEpisode(model, params, episode, algorithm);
  return { support: ops.reshape(support, [support.shape[0], -1]), query: ops.reshape(query, [query.shape[0], -1]) };
}
