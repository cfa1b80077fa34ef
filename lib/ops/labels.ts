/** Integer class labels: validation, one-hot encoding, accuracy. */
import { ShapeError, ValueError } from '../errors.js';
import { apply } from '../core/apply.js';
import { formatShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import type { DType } from '../backend/types.js';
import { currentBackend } from '../backend/index.js';
import { describeValue, expectTensor } from '../core/args.js';
import { checkAllocation } from '../core/allocation.js';
import { typedArrayFor } from '../core/typedArray.js';

export type Labels = Int32Array | Tensor;

/** Throws ValueError naming op, index and range unless every label is an integer in [0, numClasses). */
export function checkLabels(op: string, labels: ArrayLike<number>, numClasses: number, expectedLength?: number): void {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new ValueError(`${op}: labels must be an Int32Array (or an array of class ids), got ${describeValue(labels)}`);
  }
  if (typeof numClasses !== 'number') throw new ValueError(`${op}: numClasses must be a number, got ${describeValue(numClasses)}`);
  if (expectedLength !== undefined && labels.length !== expectedLength) {
    throw new ShapeError(`${op}: ${labels.length} labels for ${String(expectedLength)} rows`);
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new ValueError(`${op}: label ${String(label)} at index ${i} is out of range [0, ${numClasses})`);
    }
  }
}

/** A concrete tensor on the same backend as `like` (a constant when `like` is being traced). */
export function constantLike(like: Tensor, data: Float32Array | Float64Array, shape: readonly number[]): Tensor {
  const backend = like.backend;
  return Tensor.fromHandle(backend, backend.fromArray(data, shape), shape, like.dtype);
}

function oneHotArray(op: string, labels: Int32Array, numClasses: number, dtype: DType): Float32Array | Float64Array {
  checkLabels(op, labels, numClasses);
  checkAllocation(op, [labels.length, numClasses], dtype);
  const data = typedArrayFor(dtype, labels.length * numClasses);
  labels.forEach((label, i) => (data[i * numClasses + label] = 1));
  return data;
}

/**
 * One-hot rows [n, numClasses]. labels: a Tensor [n] of class ids stored as floats (the
 * primitive; works on symbolic inputs) or an Int32Array (validated now; result float32
 * unless `like` gives another dtype/backend).
 */
export function oneHot(labels: Labels, numClasses: number, like?: Tensor): Tensor {
  if (Tensor.isTensor(labels)) return apply('oneHot', [labels], { numClasses });
  if (!(labels instanceof Int32Array)) throw new ValueError(`oneHot: labels must be an Int32Array or a Tensor, got ${describeValue(labels)}`);
  if (like !== undefined) expectTensor(like, 'oneHot: like');
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`oneHot: numClasses must be a positive integer, got ${String(numClasses)}`);
  const dtype = like?.dtype ?? 'float32';
  const data = oneHotArray('oneHot', labels, numClasses, dtype);
  const shape = [labels.length, numClasses];
  if (like) return constantLike(like, data, shape);
  const backend = currentBackend();
  return Tensor.fromHandle(backend, backend.fromArray(data, shape), shape, dtype);
}

/** One-hot [n, classes] matching logits [n, classes] (dtype and backend), validating the labels. */
export function oneHotFor(op: string, logits: Tensor, labels: Labels): Tensor {
  expectTensor(logits, `${op}: logits`);
  if (logits.rank !== 2) throw new ShapeError(`${op}: logits must be [n, classes], got ${formatShape(logits.shape)}`);
  const [n, classes] = logits.shape;
  if (Tensor.isTensor(labels)) {
    if (labels.rank !== 1 || labels.shape[0] !== n) {
      throw new ShapeError(`${op}: labels must be [${n}] for logits ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`);
    }
    if (!labels.isSymbolic) checkLabels(op, labels.toArray(), classes);
    return apply('oneHot', [labels], { numClasses: classes });
  }
  if (!(labels instanceof Int32Array)) throw new ValueError(`${op}: labels must be an Int32Array or a Tensor, got ${describeValue(labels)}`);
  checkLabels(op, labels, classes, n);
  return constantLike(logits, oneHotArray(op, labels, classes, logits.dtype), [n, classes]);
}

/** Fraction of rows whose first maximal logit is the label. Eager, not differentiable. */
export function accuracy(logits: Tensor, labels: Labels): number {
  expectTensor(logits, 'accuracy: logits');
  if (logits.rank !== 2) throw new ShapeError(`accuracy: logits must be [n, classes], got ${formatShape(logits.shape)}`);
  const [n, classes] = logits.shape;
  const ids = Tensor.isTensor(labels) ? labels.toArray() : labels;
  checkLabels('accuracy', ids, classes, n);
  if (n === 0) throw new ValueError('accuracy: no rows');
  return fractionCorrect(argmaxRows(logits.toArray(), n, classes), ids);
}

/** Index of the largest entry of each row of a row-major [rows, cols] array (first wins on ties). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** The fraction of `predicted` equal to `truth` (same length, > 0). */
export function fractionCorrect(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}
