/** Metric-learning composites: prototypes and cosine similarity. */
import { ShapeError, ValueError } from '../errors.js';
import { formatShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkLabels, constantLike, type Labels } from './labels.js';
import { addScalar, div, matmul, mul, powScalar, reshape, sqrt, square, sum } from './primitives.js';
import { oneHot } from './labels.js';
import { expectFinite, expectTensor } from '../core/args.js';
import { checkAllocation } from '../core/allocation.js';
import { typedArrayFor } from '../core/typedArray.js';

/**
 * Per-class mean of embeddings: emb [n,d], labels of n class ids in [0, numClasses) ->
 * [numClasses, d]. Int32Array labels are validated now (a class with no example is a
 * ValueError); Tensor labels (class ids as floats) work inside recorded programs.
 */
export function prototypes(emb: Tensor, labels: Labels, numClasses: number): Tensor {
  expectTensor(emb, 'prototypes: emb');
  if (emb.rank !== 2) throw new ShapeError(`prototypes: embeddings must be [n,d], got ${formatShape(emb.shape)}`);
  const n = emb.shape[0];
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`prototypes: numClasses must be a positive integer, got ${String(numClasses)}`);
  if (Tensor.isTensor(labels)) {
    if (labels.rank !== 1 || labels.shape[0] !== n) {
      throw new ShapeError(`prototypes: labels must be [${n}], got ${formatShape(labels.shape)}`);
    }
    const assign = oneHot(labels, numClasses); // [n, classes]
    const sums = matmul(assign, emb, { transA: true }); // [classes, d]
    const counts = reshape(sum(assign, 0), [numClasses, 1]);
    return div(sums, counts);
  }
  if (!(labels instanceof Int32Array)) throw new ValueError('prototypes: labels must be an Int32Array or a Tensor');
  checkLabels('prototypes', labels, numClasses, n);
  checkAllocation('prototypes', [numClasses, n], emb.dtype);
  const counts = new Array<number>(numClasses).fill(0);
  labels.forEach((c) => counts[c]++);
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) throw new ValueError(`prototypes: class ${empty} has no example (labels cover ${numClasses} classes)`);
  // averaging [classes, n]: row c holds 1/count_c at the columns of class c.
  const data = typedArrayFor(emb.dtype, numClasses * n);
  labels.forEach((c, i) => (data[c * n + i] = 1 / counts[c]));
  return matmul(constantLike(emb, data, [numClasses, n]), emb);
}

/**
 * Cosine similarity of every row of a [n,d] with every row of b [m,d] -> [n,m].
 * Norms are sqrt(|x|^2 + eps^2) (eps = 1e-8) so zero rows give 0, not NaN.
 */
export function cosineSimilarity(a: Tensor, b: Tensor, eps = 1e-8): Tensor {
  expectTensor(a, 'cosineSimilarity: a');
  expectTensor(b, 'cosineSimilarity: b');
  expectFinite(eps, 'cosineSimilarity: eps');
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1]) {
    throw new ShapeError(`cosineSimilarity: expected a [n,d] and b [m,d], got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const unit = (x: Tensor) => mul(x, powScalar(sqrt(addScalar(sum(square(x), 1, true), eps * eps)), -1));
  return matmul(unit(a), unit(b), { transB: true });
}
