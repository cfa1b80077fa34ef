/**
 * The one place where lib/data turns typed arrays into tensors (lib/core). Goes straight to
 * the current backend's fromArray (one memcpy) rather than tensor(), whose generic
 * ArrayLike path costs a second, element-by-element copy per episode.
 */
import { currentBackend } from '../backend/index.js';
import type { DType } from '../backend/types.js';
import { Tensor } from '../core/tensor.js';
import { asTypedArray } from '../core/typedArray.js';
import type { Episode, EpisodeArrays } from './episode.js';

/** A float tensor of `shape` holding `values` in `dtype`. */
export function floatTensor(values: Float32Array | Float64Array, shape: number[], dtype: DType): Tensor {
  const backend = currentBackend();
  return Tensor.fromHandle(backend, backend.fromArray(asTypedArray(dtype, values), shape), shape, dtype);
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
