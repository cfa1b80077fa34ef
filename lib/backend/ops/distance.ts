/** squaredEuclidean: a [n,d], b [m,d] -> [n,m] (twin of native/autodiff/ops/distance_ops.cpp). */
import { ShapeError } from '../../errors.js';
import { emitterOps } from '../js/emitterOps.js';
import { squaredEuclidean } from '../js/distance.js';
import type { OpRows } from './opRow.js';
import { expectGemmDims, expectRank, shapesOf } from './shapeRules.js';

export const DISTANCE_OPS: OpRows<'squaredEuclidean'> = {
  squaredEuclidean: {
    arity: 2,
    inputNames: ['a', 'b'],
    infer: (op, inputs) => {
      const [a, b] = inputs;
      expectRank(op, a, 2, 'a');
      expectRank(op, b, 2, 'b');
      if (a.shape[1] !== b.shape[1]) throw new ShapeError(`${op}: feature sizes differ: ${shapesOf(inputs)}`);
      expectGemmDims(op, [a.shape[0], b.shape[0], a.shape[1]], shapesOf(inputs));
      return [a.shape[0], b.shape[0]];
    },
    kernel: ([a, b]) => squaredEuclidean(a, b),
    // D_ij = |a_i|^2 + |b_j|^2 - 2 a_i.b_j
    jvp(em, [a, b], [da, db]) {
      const o = emitterOps(em);
      const m = o.shape(b)[0];
      const fromA = da && o.sub(o.sum(o.mul(a, da), [1], true), o.matmul(da, b, false, true)); // [n,1] - [n,m]
      const fromB = db && o.sub(o.reshape(o.sum(o.mul(b, db), [1], false), [1, m]), o.matmul(a, db, false, true));
      return o.mulScalar(o.addMaybe(fromA, fromB)!, 2);
    },
    vjp(em, [a, b], _y, g) {
      const o = emitterOps(em);
      const m = o.shape(b)[0];
      // grad a_i = 2 (sum_j g_ij) a_i - 2 (g b)_i ;  grad b_j = 2 (sum_i g_ij) b_j - 2 (g^T a)_j
      const ga = o.sub(o.mul(o.sum(g, [1], true), a), o.matmul(g, b));
      const gb = o.sub(o.mul(o.reshape(o.sum(g, [0], false), [m, 1]), b), o.matmul(g, a, true, false));
      return [o.mulScalar(ga, 2), o.mulScalar(gb, 2)];
    },
  },
};
