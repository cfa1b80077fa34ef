/** Parameter records: the unit every transform, model and optimiser works on. */
import { ShapeError, ValueError } from '../errors.js';
import { formatShape, sameShape } from './shape.js';
import { Tensor } from './tensor.js';
import { describeValue } from './args.js';

export type Params = Record<string, Tensor>;

/** Parameter names in the canonical order (sorted), the order of program inputs. */
export function sortedKeys(params: Params): string[] {
  if (params === null || typeof params !== 'object') throw new ValueError(`sortedKeys: params must be a record of tensors, got ${describeValue(params)}`);
  return Object.keys(params).sort();
}

/** Checks that a value is a Params record of Tensors; returns its sorted names. */
export function checkParams(op: string, params: unknown): string[] {
  if (params === null || typeof params !== 'object' || Tensor.isTensor(params) || Array.isArray(params)) {
    throw new ValueError(`${op}: params must be a record of tensors (Record<string, Tensor>), got ${describeValue(params)}`);
  }
  const names = sortedKeys(params as Params);
  for (const name of names) {
    if (!Tensor.isTensor((params as Params)[name])) {
      throw new ValueError(`${op}: params.${name} must be a Tensor, got ${describeValue((params as Record<string, unknown>)[name])}`);
    }
  }
  return names;
}

/** Checks that `other` has exactly the names, shapes and dtypes of `reference`. */
export function checkSameStructure(op: string, reference: Params, other: Params, what: string): void {
  const names = sortedKeys(reference);
  const otherNames = checkParams(op, other);
  if (names.join('\u0000') !== otherNames.join('\u0000')) {
    throw new ValueError(`${op}: ${what} has keys [${otherNames.join(', ')}], expected [${names.join(', ')}]`);
  }
  for (const name of names) {
    const a = reference[name];
    const b = other[name];
    if (!sameShape(a.shape, b.shape) || a.dtype !== b.dtype) {
      throw new ShapeError(
        `${op}: ${what}.${name} is ${formatShape(b.shape)} ${b.dtype}, expected ${formatShape(a.shape)} ${a.dtype}`,
      );
    }
  }
}

/** Disposes every tensor of a record. */
export function disposeParams(params: Params): void {
  checkParams('disposeParams', params);
  for (const t of Object.values(params)) t.dispose();
}
