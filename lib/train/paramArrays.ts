/** Conversion between Params (backend tensors) and the tensor-free NamedArrays the trainer keeps. */
import type { Params } from '../algorithms/types.js';
import { tensor } from '../core/creation.js';
import { sortedNames, type FloatArray, type NamedArrays } from './namedArrays.js';

/** Copies every tensor's values out of the backend. */
export function paramsToArrays(params: Params): NamedArrays {
  const out: NamedArrays = {};
  for (const name of sortedNames(params)) {
    const t = params[name];
    out[name] = { dtype: t.dtype, shape: [...t.shape], data: t.toArray() as FloatArray };
  }
  return out;
}

/** New backend tensors holding copies of the arrays (the caller may keep mutating its arrays). */
export function arraysToParams(arrays: NamedArrays): Params {
  const out: Params = {};
  for (const name of sortedNames(arrays)) {
    const a = arrays[name];
    out[name] = tensor(a.data.slice(), [...a.shape], a.dtype);
  }
  return out;
}

/** The first non-finite element, as 'name[index] = value', or undefined when all are finite. */
export function findNonFinite(arrays: NamedArrays): string | undefined {
  for (const name of sortedNames(arrays)) {
    const data = arrays[name].data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) return `${name}[${i}] = ${data[i]}`;
    }
  }
  return undefined;
}

/** Frees backend memory now where the tensor supports it (native); the GC does it otherwise. */
export function disposeParams(params: Params): void {
  for (const t of Object.values(params)) t.dispose();
}
