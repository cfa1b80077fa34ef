/** Reductions built from sum. */
import type { Tensor } from '../core/tensor.js';
import { mulScalar, normalizeAxes, sum } from './primitives.js';

/** Mean over axis (a number, a list, or all axes when omitted). */
export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const axes = normalizeAxes('mean', x, axis);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return mulScalar(sum(x, axes, keepDims), 1 / count);
}
