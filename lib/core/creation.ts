/** Making concrete tensors on the current backend. */
import { ShapeError, ValueError } from '../errors.js';
import { currentBackend } from '../backend/index.js';
import type { DType, TypedArray } from '../backend/types.js';
import { Random } from './random.js';
import { checkShape, formatShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

function checkDType(op: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ValueError(`${op}: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
  }
  return dtype;
}

function fromTypedArray(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  const backend = currentBackend();
  return Tensor.fromHandle(backend, backend.fromArray(data, shape), shape, dtype);
}

/**
 * A tensor from numbers. data: any ArrayLike<number> (or one number for a scalar);
 * shape defaults to [data.length] ([] for a number).
 */
export function tensor(data: ArrayLike<number> | number, shape?: readonly number[], dtype: DType = 'float32'): Tensor {
  checkDType('tensor', dtype);
  const values: ArrayLike<number> = typeof data === 'number' ? [data] : data;
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new ValueError(`tensor: data must be an array-like of numbers, got ${typeof data}`);
  }
  const resolved = shape ?? (typeof data === 'number' ? [] : [values.length]);
  if (!Array.isArray(resolved)) throw new ShapeError(`tensor: shape must be an array of integers, got ${String(resolved)}`);
  checkShape('tensor', resolved);
  if (values.length !== sizeOf(resolved)) {
    throw new ShapeError(`tensor: ${values.length} values do not fill shape ${formatShape(resolved)} (${sizeOf(resolved)} elements)`);
  }
  const array = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return fromTypedArray(array, resolved, dtype);
}

export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return tensor([value], [], dtype);
}

export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  checkShape('full', shape);
  const array = dtype === 'float64' ? new Float64Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
  array.fill(value);
  return fromTypedArray(array, shape, checkDType('full', dtype));
}

export const zeros = (shape: readonly number[], dtype: DType = 'float32'): Tensor => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = 'float32'): Tensor => full(shape, 1, dtype);

/** Standard normal samples from a seeded generator (same numbers on every machine). */
export function randn(shape: readonly number[], seed: number, dtype: DType = 'float32'): Tensor {
  checkShape('randn', shape);
  const rng = new Random(seed);
  const values = Array.from({ length: sizeOf(shape) }, () => rng.normal());
  return tensor(values, shape, dtype);
}

/** Uniform samples in [low, high) from a seeded generator. */
export function randUniform(shape: readonly number[], seed: number, low = 0, high = 1, dtype: DType = 'float32'): Tensor {
  checkShape('randUniform', shape);
  const rng = new Random(seed);
  const values = Array.from({ length: sizeOf(shape) }, () => rng.uniform(low, high));
  return tensor(values, shape, dtype);
}
