/** The one place where lib/data turns typed arrays into tensors (lib/core). */
import type { DType } from '../backend/types.js';
import { tensor } from '../core/creation.js';
import type { Tensor } from '../core/tensor.js';
import type { Episode, EpisodeArrays } from './episode.js';

/** A float tensor of `shape` holding `values` in `dtype`. */
export function floatTensor(values: Float32Array | Float64Array, shape: number[], dtype: DType): Tensor {
  return tensor(values, shape, dtype);
}

export function toEpisode(arrays: EpisodeArrays, dtype: DType): Episode {
  return {
    support: { x: floatTensor(arrays.support.x, arrays.support.shape, dtype), y: arrays.support.y },
    query: { x: floatTensor(arrays.query.x, arrays.query.shape, dtype), y: arrays.query.y },
    classes: arrays.classes,
    shots: arrays.shots,
    queries: arrays.queries,
    source: arrays.source,
  };
}
