/**
 * Constants the learners build from labels (masks, shot counts, zero LSTM states, the loss seed).
 * They are made on the backend and in the dtype of the tensor they will meet, never on the
 * current backend: an op runs on the backend of the tensors it is given (lib/core/apply.ts), so
 * params and episodes made on 'native' still train after setBackend('js'), and vice versa.
 */
import type { Backend, DType } from '../backend/types.js';
import { Tensor } from '../core/tensor.js';
import { sizeOf } from '../core/shape.js';
import { typedArrayFor } from '../core/typedArray.js';

/** values (row-major, shape's element count) as a tensor on `backend` in `dtype`. */
export function constantOn(backend: Backend, dtype: DType, values: ArrayLike<number>, shape: readonly number[]): Tensor {
  const data = typedArrayFor(dtype, values);
  return Tensor.fromHandle(backend, backend.fromArray(data, shape), shape, dtype);
}

/** values as a tensor on like's backend and in like's dtype (like may be symbolic: its backend is the trace's). */
export function constantLike(like: Tensor, values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return constantOn(like.backend, like.dtype, values, shape);
}

/** Zeros of `shape` on like's backend and in like's dtype. */
export function zerosLike(like: Tensor, shape: readonly number[] = like.shape): Tensor {
  return constantLike(like, new Float64Array(sizeOf(shape)), shape);
}
