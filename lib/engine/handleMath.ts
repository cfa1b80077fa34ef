/**
 * Small arithmetic on raw backend handles, used by the TypeScript inner-loop engine
 * (lib/engine) and the learners that combine its results. It works below the Tensor front end on purpose: the engine replays a
 * compiled program and combines its results with a handful of elementwise primitives,
 * with no tracing involved.
 */
import type { Backend, DType, Handle } from '../backend/types.js';
import { typedArrayFor } from '../core/typedArray.js';

const NO_ATTRS = {} as Record<string, never>;

/** A rank-0 tensor holding `value`. */
export function scalarHandle(backend: Backend, value: number, dtype: DType): Handle {
  const data = typedArrayFor(dtype, [value]);
  return backend.fromArray(data, []);
}

export function zerosHandle(backend: Backend, shape: readonly number[], dtype: DType): Handle {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = typedArrayFor(dtype, size);
  return backend.fromArray(data, shape);
}

/** A tensor of zeros with x's shape and dtype. */
export function zerosLike(backend: Backend, x: Handle): Handle {
  return zerosHandle(backend, backend.shapeOf(x), backend.dtypeOf(x));
}

/** A new handle holding x's values (x itself is left alone). */
export function copyHandle(backend: Backend, x: Handle): Handle {
  return backend.exec('reshape', [x], { shape: backend.shapeOf(x) });
}

export function addHandles(backend: Backend, a: Handle, b: Handle): Handle {
  return backend.exec('add', [a, b], NO_ATTRS);
}

/** a + b as a new handle, freeing a and b (a running sum taking over its new term). */
export function addAndFree(backend: Backend, a: Handle, b: Handle): Handle {
  const sum = addHandles(backend, a, b);
  backend.dispose(a);
  backend.dispose(b);
  return sum;
}

export function subHandles(backend: Backend, a: Handle, b: Handle): Handle {
  return backend.exec('sub', [a, b], NO_ATTRS);
}

/** a * b with NumPy broadcasting (a scalar learning rate times a gradient, for instance). */
export function mulHandles(backend: Backend, a: Handle, b: Handle): Handle {
  return backend.exec('mul', [a, b], NO_ATTRS);
}

export function scaleHandle(backend: Backend, x: Handle, factor: number): Handle {
  return backend.exec('mulScalar', [x], { value: factor });
}

/** True when every element is exactly zero (a frozen parameter's learning rate). */
export function isAllZero(backend: Backend, x: Handle): boolean {
  const values = backend.toArray(x);
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
  return true;
}

/**
 * Sums x down to `shape`, the inverse of broadcasting `shape` up to x's shape: leading extra
 * axes and axes where `shape` has size 1 are summed. Used to reduce a parameter-shaped
 * dF/dlr to the learning rate's own shape (a scalar for MAML, per-element for Meta-SGD).
 * Returns a new handle (never x itself).
 */
export function sumToShape(backend: Backend, x: Handle, shape: readonly number[]): Handle {
  const xShape = backend.shapeOf(x);
  const lead = xShape.length - shape.length;
  const axes: number[] = [];
  for (let a = 0; a < xShape.length; a++) {
    if (a < lead || (shape[a - lead] === 1 && xShape[a] !== 1)) axes.push(a);
  }
  if (axes.length === 0) return backend.exec('reshape', [x], { shape: [...xShape] });
  const summed = backend.exec('sum', [x], { axes, keepDims: true });
  const out = backend.exec('reshape', [summed], { shape: [...shape] });
  backend.dispose(summed);
  return out;
}

/** Reads a rank-0 (or one-element) tensor as a number. */
export function readScalar(backend: Backend, x: Handle): number {
  return backend.toArray(x)[0];
}

/**
 * sum_g weights[g] * lists[g], entry by entry ([groups][n] -> [n]): the mean over task groups
 * of per-group means. Takes ownership of the inputs (freed; one group is returned as it is).
 */
export function weightedSum(backend: Backend, lists: Handle[][], weights: number[]): Handle[] {
  if (lists.length === 1) return lists[0];
  return lists[0].map((_, i) => {
    let total: Handle | null = null;
    lists.forEach((list, g) => {
      const scaled = scaleHandle(backend, list[i], weights[g]);
      backend.dispose(list[i]);
      total = total === null ? scaled : addAndFree(backend, total, scaled);
    });
    return total as unknown as Handle;
  });
}
