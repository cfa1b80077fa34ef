/**
 * The pure-TypeScript core's tensor: a typed array plus its shape. Opaque to the front end
 * (it only sees Handle); kernels read and write `data` directly.
 */
import { DisposedError, OutOfMemoryError, ValueError } from '../../errors.js';
import type { DType, Handle, TypedArray } from '../types.js';
import { formatShape, sizeOf } from '../../core/shape.js';

export class JsTensor implements Handle {
  declare readonly __backendHandle: true;
  private storage: TypedArray | null;

  constructor(
    data: TypedArray,
    readonly shape: readonly number[],
  ) {
    this.storage = data;
  }

  get data(): TypedArray {
    if (!this.storage) throw new DisposedError(`tensor of shape ${formatShape(this.shape)} was disposed`);
    return this.storage;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get disposed(): boolean {
    return this.storage === null;
  }

  /** Drops the typed array so the GC can reclaim it; later reads throw DisposedError. */
  release(): void {
    this.storage = null;
  }
}

export type ArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor;

export function ctorOf(dtype: DType): ArrayCtor {
  return dtype === 'float64' ? Float64Array : Float32Array;
}

/** The most elements one tensor may have: the native core's bound (native/core/shape.cpp check_shape_valid). */
export const MAX_TENSOR_ELEMENTS = 4e9;

/**
 * A zero-filled typed array of n elements; OutOfMemoryError naming `what` when the engine
 * cannot provide it (it throws a RangeError), as the native allocator does.
 */
export function zeroedArray(ctor: ArrayCtor, n: number, what: string): TypedArray {
  try {
    return new ctor(n);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new OutOfMemoryError(`out of memory: could not allocate ${n * ctor.BYTES_PER_ELEMENT} bytes for ${what}`);
  }
}

/** A new zero-filled tensor; ValueError above MAX_TENSOR_ELEMENTS, as on the native backend. */
export function allocate(shape: readonly number[], dtype: DType): JsTensor {
  const n = sizeOf(shape);
  if (n > MAX_TENSOR_ELEMENTS) throw new ValueError(`tensor: shape ${formatShape(shape)} is too large`);
  return new JsTensor(zeroedArray(ctorOf(dtype), n, 'tensor storage'), [...shape]);
}
