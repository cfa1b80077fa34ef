/**
 * Pair and triplet losses for Siamese embedding training, over all (query, support) pairs of an
 * episode, pair (i, j) = query i with support j. Which pairs match comes from the labels
 * (constants): same[i, j] = 1 when query i and support j share a class, else 0.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { ValueError } from '../errors.js';
import { constantLike } from './constants.js';

/** Keeps sqrt differentiable where two embeddings coincide. */
const SQRT_EPSILON = 1e-12;

export interface PairLabels {
  queryY: Int32Array;
  supportY: Int32Array;
}

/** same [q, s] (1 for a matching pair) and its complement different [q, s], as constants on like's backend and dtype. */
export function pairTargets(labels: PairLabels, like: Tensor): { same: Tensor; different: Tensor } {
  const { queryY, supportY } = labels;
  const same = new Float64Array(queryY.length * supportY.length);
  queryY.forEach((qy, i) => supportY.forEach((sy, j) => (same[i * supportY.length + j] = qy === sy ? 1 : 0)));
  const different = same.map((v) => 1 - v);
  const shape = [queryY.length, supportY.length];
  return { same: constantLike(like, same, shape), different: constantLike(like, different, shape) };
}

/** Koch et al.'s verification loss: binary cross-entropy of the pair logits [q, s] against matching. */
export function verificationLoss(logits: Tensor, labels: PairLabels): Tensor {
  return ops.bceWithLogits(logits, pairTargets(labels, logits).same);
}

/**
 * Contrastive loss (Hadsell, Chopra and LeCun, 2006), with D = Euclidean distance:
 *   mean over pairs of  same * D^2 + (1 - same) * max(0, margin - D)^2
 * squaredDistances: [q, s].
 */
export function contrastiveLoss(squaredDistances: Tensor, labels: PairLabels, margin: number): Tensor {
  const { same, different } = pairTargets(labels, squaredDistances);
  const distance = ops.sqrt(ops.add(squaredDistances, SQRT_EPSILON));
  const pull = ops.mul(same, squaredDistances);
  const push = ops.mul(different, ops.square(ops.relu(ops.add(ops.neg(distance), margin))));
  return ops.mean(ops.add(pull, push));
}

/**
 * Triplet loss (Schroff et al., 2015) with squared distances, over every triplet of a query
 * (anchor i), a support of its class (positive p) and a support of another class (negative n):
 *   mean over triplets of  max(0, D[i, p] - D[i, n] + margin)
 * squaredDistances: [q, s]; needs at least two classes in the episode.
 */
export function tripletLoss(squaredDistances: Tensor, labels: PairLabels, margin: number): Tensor {
  const [q, s] = squaredDistances.shape;
  const positive = ops.reshape(squaredDistances, [q, s, 1]);
  const negative = ops.reshape(squaredDistances, [q, 1, s]);
  const hinge = ops.relu(ops.add(ops.sub(positive, negative), margin)); // [q, s, s]
  const { mask, count } = tripletMask(labels);
  if (count === 0) {
    throw new ValueError('SiameseNet (triplet loss): the episode has no (positive, negative) pair; it needs two or more classes');
  }
  return ops.div(ops.sum(ops.mul(hinge, constantLike(squaredDistances, mask, [q, s, s]))), count);
}

/** mask[i, p, n] = 1 when support p matches query i and support n does not; and how many ones. */
function tripletMask({ queryY, supportY }: PairLabels): { mask: Float64Array; count: number } {
  const s = supportY.length;
  const mask = new Float64Array(queryY.length * s * s);
  let count = 0;
  queryY.forEach((label, i) => {
    for (let p = 0; p < s; p++) {
      if (supportY[p] !== label) continue;
      for (let n = 0; n < s; n++) {
        if (supportY[n] === label) continue;
        mask[(i * s + p) * s + n] = 1;
        count++;
      }
    }
  });
  return { mask, count };
}
