/**
 * Plain named arrays: the tensor-free form in which the training code stores parameters,
 * optimiser state and checkpoints. Keeping these free of backend tensors means checkpoints and
 * optimisers work (and are tested) without any core, and never hold native memory.
 */
import type { DType } from '../backend/types.js';
import { typedArrayFor } from '../core/typedArray.js';

export type FloatArray = Float32Array | Float64Array;

export interface NamedArray {
  dtype: DType;
  /** Row-major shape; [] for a scalar. */
  shape: number[];
  data: FloatArray;
}

export type NamedArrays = Record<string, NamedArray>;

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function dtypeOfArray(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** A zero array of the given shape and dtype. */
export function zerosLike(a: NamedArray, dtype: DType = a.dtype): NamedArray {
  const n = sizeOf(a.shape);
  return { dtype, shape: [...a.shape], data: typedArrayFor(dtype, n) };
}

/** A deep copy (new data buffer). */
export function cloneArray(a: NamedArray): NamedArray {
  return { dtype: a.dtype, shape: [...a.shape], data: a.data.slice() };
}

export function cloneArrays(arrays: NamedArrays): NamedArrays {
  const out: NamedArrays = {};
  for (const name of Object.keys(arrays)) out[name] = cloneArray(arrays[name]);
  return out;
}

/** Names in a fixed (sorted) order, so every loop over parameters is deterministic. */
export function sortedNames(arrays: Record<string, unknown>): string[] {
  return Object.keys(arrays).sort();
}
