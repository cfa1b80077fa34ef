/**
 * The one dtype -> typed array switch: every float buffer a tensor is made from or read into
 * is a Float32Array or a Float64Array by its dtype.
 */
import type { DType, TypedArray } from '../backend/types.js';

/** The typed-array constructor of a dtype. */
export function typedArrayCtor(dtype: DType): Float32ArrayConstructor | Float64ArrayConstructor {
  return dtype === 'float64' ? Float64Array : Float32Array;
}

/**
 * A zero-filled array of `length` elements, or `values` copied and converted (the typed-array
 * constructor: one pass, no iterator), in dtype's typed array.
 */
export function typedArrayFor(dtype: DType, lengthOrValues: number | ArrayLike<number>): TypedArray {
  const Ctor = typedArrayCtor(dtype);
  // Two calls: TypeScript picks one constructor overload per call.
  return typeof lengthOrValues === 'number' ? new Ctor(lengthOrValues) : new Ctor(lengthOrValues);
}

/** `values` itself when it already is dtype's typed array, else a converted copy. */
export function asTypedArray(dtype: DType, values: TypedArray): TypedArray {
  return values instanceof typedArrayCtor(dtype) ? values : typedArrayFor(dtype, values);
}
