/**
 * Tensor: the front end's n-dimensional array. Either concrete (a handle owned by one
 * backend) or symbolic (a value inside a transform being traced: shape and dtype known,
 * no numbers). Concrete tensors free their backend memory on dispose() or when garbage
 * collected.
 */
import { DisposedError, ValueError } from '../errors.js';
import type { Backend, DType, Handle, TypedArray } from '../backend/types.js';
import { formatShape, sizeOf } from './shape.js';
import { trackTensor } from './scope.js';

/** What a symbolic tensor knows about the trace that made it (see trace.ts). */
export interface TraceRef {
  /** The transform doing the tracing, for messages ('grad', 'record', ...). */
  readonly label: string;
  /** False once tracing has finished: the symbol can no longer be used. */
  readonly active: boolean;
}

export interface SymbolRef {
  trace: TraceRef;
  /** Index of the value in its trace. */
  value: number;
}

interface Owned {
  backend: Backend;
  handle: Handle;
}

// Frees backend memory of tensors that were never disposed explicitly.
const finalizer = new FinalizationRegistry<Owned>(({ backend, handle }) => {
  try {
    backend.dispose(handle);
  } catch {
    // The backend may already be gone at exit; nothing useful to report from a finalizer.
  }
});

export class Tensor {
  /** Set by the constructor only: an object that merely inherits Tensor.prototype (Object.create, a Proxy) lacks it. */
  readonly #made = true;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly backend: Backend;
  /** Set for symbolic tensors only. */
  readonly symbol: SymbolRef | null;
  private owned: Owned | null;

  private constructor(shape: readonly number[], dtype: DType, backend: Backend, handle: Handle | null, symbol: SymbolRef | null) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.backend = backend;
    this.symbol = symbol;
    this.owned = handle ? { backend, handle } : null;
    if (this.owned) {
      finalizer.register(this, this.owned, this);
      trackTensor(this);
    }
  }

  /** Wraps a backend handle (takes ownership). Internal: users call tensor(). */
  static fromHandle(backend: Backend, handle: Handle, shape?: readonly number[], dtype?: DType): Tensor {
    return new Tensor(shape ?? backend.shapeOf(handle), dtype ?? backend.dtypeOf(handle), backend, handle, null);
  }

  /** A symbolic value of a trace. Internal: made by transforms. */
  static symbolic(backend: Backend, shape: readonly number[], dtype: DType, symbol: SymbolRef): Tensor {
    return new Tensor(shape, dtype, backend, null, symbol);
  }

  /** True for tensors this library made (not for objects that only inherit Tensor.prototype, or Proxies of tensors). */
  static isTensor(value: unknown): value is Tensor {
    return typeof value === 'object' && value !== null && #made in value;
  }

  get size(): number {
    return sizeOf(made(this).shape);
  }

  get rank(): number {
    return made(this).shape.length;
  }

  get isSymbolic(): boolean {
    return made(this).symbol !== null;
  }

  get isDisposed(): boolean {
    return made(this).symbol === null && this.owned === null;
  }

  /** The backend handle. Throws for symbolic or disposed tensors. */
  get handle(): Handle {
    made(this);
    if (this.symbol) throw this.symbolicError('use its handle');
    if (!this.owned) throw new DisposedError(`tensor of shape ${formatShape(this.shape)} was disposed`);
    return this.owned.handle;
  }

  /** A copy of the elements (Float32Array for float32, Float64Array for float64). */
  toArray(): TypedArray {
    made(this);
    if (this.symbol) throw this.symbolicError('call toArray()');
    return this.backend.toArray(this.handle);
  }

  /** The single element of a one-element tensor, as a number. */
  item(): number {
    made(this);
    if (this.symbol) throw this.symbolicError('call item()');
    if (this.size !== 1) throw new ValueError(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, expected 1`);
    return this.toArray()[0];
  }

  /** Frees the backend memory now; later use throws DisposedError. Idempotent. */
  dispose(): void {
    made(this);
    if (!this.owned) return;
    finalizer.unregister(this);
    this.backend.dispose(this.owned.handle);
    this.owned = null;
  }

  toString(): string {
    if (!Tensor.isTensor(this)) return 'Tensor(not made by metalearn)';
    const kind = this.symbol ? 'symbolic' : this.owned ? this.backend.name : 'disposed';
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}, ${kind})`;
  }

  private symbolicError(what: string): ValueError {
    return new ValueError(
      `cannot ${what} on a symbolic tensor of shape ${formatShape(this.shape)} inside ${this.symbol!.trace.label}: ` +
        'values exist only after the transform returns (return the tensor from the function instead)',
    );
  }
}

/** `t` itself when the library made it; a ValueError for an object that only inherits Tensor.prototype. */
function made(t: Tensor): Tensor {
  if (!Tensor.isTensor(t)) {
    throw new ValueError('Tensor: this object only inherits Tensor.prototype (a Proxy or Object.create); make tensors with tensor(), zeros(), ...');
  }
  return t;
}
