/** Making concrete tensors on the current backend. */
import { ShapeError, ValueError } from '../errors.js';
import { currentBackend } from '../backend/index.js';
import type { DType, TypedArray } from '../backend/types.js';
import { Random } from './random.js';
import { checkShape, formatShape } from './shape.js';
import { Tensor } from './tensor.js';
import { checkAllocation, convertAllocationFailure } from './allocation.js';
import { describeValue, expectFinite } from './args.js';
import { typedArrayFor } from './typedArray.js';

function checkDType(op: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ValueError(`${op}: dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  }
  return dtype;
}

function fromTypedArray(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  const backend = currentBackend();
  return Tensor.fromHandle(backend, backend.fromArray(data, shape), shape, dtype);
}

/** The element count of a shape argument: ShapeError unless an array of non-negative integers, OutOfMemoryError past memory. */
function checkedSize(op: string, shape: readonly number[], dtype: DType): number {
  checkShape(op, shape);
  return checkAllocation(op, shape, dtype);
}

/** A typed array of `dtype` holding `n` values from `fill(i)` (one place that allocates for creation). */
function typedArray(op: string, dtype: DType, n: number, fill?: (i: number) => number): TypedArray {
  return convertAllocationFailure(op, () => {
    const array = typedArrayFor(dtype, n);
    if (fill) for (let i = 0; i < n; i++) array[i] = fill(i);
    return array;
  });
}

/**
 * A tensor from numbers. data: any ArrayLike<number> (or one number for a scalar);
 * shape defaults to [data.length] ([] for a number).
 */
export function tensor(data: ArrayLike<number> | number, shape?: readonly number[], dtype: DType = 'float32'): Tensor {
  checkDType('tensor', dtype);
  const values: ArrayLike<number> = typeof data === 'number' ? [data] : data;
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new ValueError(`tensor: data must be an array-like of numbers, got ${describeValue(data)}`);
  }
  const length = values.length;
  if (!Number.isSafeInteger(length) || length < 0) throw new ValueError(`tensor: data.length must be a non-negative integer, got ${describeValue(length)}`);
  const resolved = shape ?? (typeof data === 'number' ? [] : [length]);
  const size = checkedSize('tensor', resolved, dtype);
  if (length !== size) {
    throw new ShapeError(`tensor: ${length} values do not fill shape ${formatShape(resolved)} (${size} elements)`);
  }
  return fromTypedArray(copyOf(dtype, values, size), resolved, dtype);
}

/** data as a typed array of `dtype` (typed arrays copied in one go; other array-likes element by element). */
function copyOf(dtype: DType, values: ArrayLike<number>, size: number): TypedArray {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw new ValueError(`tensor: data must hold numbers, got a ${values.constructor.name}`);
  }
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    return convertAllocationFailure('tensor', () => {
      const array = typedArrayFor(dtype, size);
      array.set(values);
      return array;
    });
  }
  return typedArray('tensor', dtype, size, (i) => {
    const v: unknown = values[i];
    if (typeof v === 'bigint' || typeof v === 'symbol') throw new ValueError(`tensor: data[${i}] must be a number, got ${describeValue(v)}`);
    return v as number;
  });
}

export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return tensor([value], [], dtype);
}

export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  return filled('full', shape, value, dtype);
}

export const zeros = (shape: readonly number[], dtype: DType = 'float32'): Tensor => filled('zeros', shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = 'float32'): Tensor => filled('ones', shape, 1, dtype);

/** A tensor of one value; op names the public function in messages. */
function filled(op: string, shape: readonly number[], value: number, dtype: DType): Tensor {
  checkDType(op, dtype);
  if (typeof value !== 'number') throw new ValueError(`${op}: value must be a number, got ${describeValue(value)}`);
  const array = typedArray(op, dtype, checkedSize(op, shape, dtype));
  array.fill(value);
  return fromTypedArray(array, shape, dtype);
}

/** Standard normal samples from a seeded generator (same numbers on every machine). */
export function randn(shape: readonly number[], seed: number, dtype: DType = 'float32'): Tensor {
  const rng = new Random(expectFinite(seed, 'randn: seed'));
  return generated('randn', shape, dtype, () => rng.normal());
}

/** A tensor of `shape` whose elements are next() in row-major order (shape, dtype and size checked first). */
export function generated(op: string, shape: readonly number[], dtype: DType, next: () => number): Tensor {
  checkDType(op, dtype);
  const size = checkedSize(op, shape, dtype);
  return fromTypedArray(typedArray(op, dtype, size, next), shape, dtype);
}

/** Uniform samples in [low, high) from a seeded generator. */
export function randUniform(shape: readonly number[], seed: number, low = 0, high = 1, dtype: DType = 'float32'): Tensor {
  const rng = new Random(expectFinite(seed, 'randUniform: seed'));
  expectFinite(low, 'randUniform: low');
  expectFinite(high, 'randUniform: high');
  return generated('randUniform', shape, dtype, () => rng.uniform(low, high));
}
