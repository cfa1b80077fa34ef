/**
 * Every (query, reference) pair of two embedding sets, laid out row-major as [q * m, ...]:
 * pair (i, j) is row i * m + j. Used by RelationNet (query x class features) and SiameseNet
 * (query x support embeddings).
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';

/** query [q, ...f], reference [m, ...f] -> both repeated to [q * m, ...f] (query-major). */
export function allPairs(query: Tensor, reference: Tensor): { query: Tensor; reference: Tensor } {
  const q = query.shape[0];
  const m = reference.shape[0];
  const features = query.shape.slice(1);
  const size = features.reduce((a, b) => a * b, 1);
  const repeatedQuery = ops.broadcastTo(ops.reshape(query, [q, 1, size]), [q, m, size]);
  const repeatedReference = ops.broadcastTo(ops.reshape(reference, [1, m, size]), [q, m, size]);
  return {
    query: ops.reshape(repeatedQuery, [q * m, ...features]),
    reference: ops.reshape(repeatedReference, [q * m, ...features]),
  };
}
