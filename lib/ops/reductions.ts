/** Reductions built from sum. */
import { ValueError } from '../errors.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { mulScalar, normalizeAxes, sum } from './primitives.js';

/** Mean over axis (a number, a list, or all axes when omitted). */
export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const axes = normalizeAxes('mean', x, axis);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  if (count === 0) throw new ValueError(`mean: no elements to average over axes [${axes.join(',')}] of shape ${formatShape(x.shape)}`);
  return mulScalar(sum(x, axes, keepDims), 1 / count);
}
