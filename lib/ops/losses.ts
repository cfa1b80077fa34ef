/** Losses, each a mean over examples, built from primitives. */
import { ShapeError } from '../errors.js';
import { formatShape, sameShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { oneHotFor, type Labels } from './labels.js';
import { logSoftmax, mul, neg, softplus, square, sub, sum } from './primitives.js';
import { mean } from './reductions.js';
import { expectTensor } from '../core/args.js';

/**
 * Softmax cross-entropy, mean over rows. logits [n, classes]; labels: Int32Array of class ids
 * (validated now) or a Tensor [n] of class ids as floats (one-hot encoded by the oneHot
 * primitive, so recorded programs can take labels as an input).
 */
export function crossEntropy(logits: Tensor, labels: Labels): Tensor {
  const targets = oneHotFor('crossEntropy', logits, labels);
  return neg(mean(sum(mul(targets, logSoftmax(logits)), 1)));
}

function checkSame(op: string, a: Tensor, b: Tensor): void {
  expectTensor(a, `${op}: prediction`);
  expectTensor(b, `${op}: target`);
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError(`${op}: prediction ${formatShape(a.shape)} and target ${formatShape(b.shape)} must have the same shape`);
  }
}

/** Mean squared error over all elements. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  checkSame('mse', pred, target);
  return mean(square(sub(pred, target)));
}

/** Binary cross-entropy on logits, mean over elements: softplus(z) - z t (stable for any z). */
export function bceWithLogits(logits: Tensor, targets: Tensor): Tensor {
  checkSame('bceWithLogits', logits, targets);
  return mean(sub(softplus(logits), mul(logits, targets)));
}
