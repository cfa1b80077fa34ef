/** matmul: op(a) [n,k] x op(b) [k,m] -> [n,m] (twin of native/autodiff/ops/matmul_ops.cpp). */
import { ShapeError } from '../../errors.js';
import { formatShape as fmt } from '../../core/shape.js';
import { emitterOps } from '../js/emitterOps.js';
import { matmul } from '../js/matmul.js';
import type { OpRows } from './opRow.js';
import { expectGemmDims, shapesOf } from './shapeRules.js';

export const MATMUL_OPS: OpRows<'matmul'> = {
  matmul: {
    arity: 2,
    inputNames: ['a', 'b'],
    infer: (op, inputs, { transA, transB }) => {
      const [a, b] = inputs;
      if (a.shape.length !== 2 || b.shape.length !== 2) {
        throw new ShapeError(`${op}: expects 2-D inputs, got ${shapesOf(inputs)}`);
      }
      const [n, ka] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
      const [kb, m] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
      if (ka !== kb) {
        throw new ShapeError(
          `${op}: inner dimensions differ: ${fmt(a.shape)}${transA ? '^T' : ''} x ${fmt(b.shape)}${transB ? '^T' : ''} (${ka} vs ${kb})`,
        );
      }
      expectGemmDims(op, [n, ka, m], `${fmt(a.shape)} x ${fmt(b.shape)}`);
      return [n, m];
    },
    kernel: ([a, b], { transA, transB }) => matmul(a, b, transA, transB),
    jvp(em, [a, b], [da, db], _y, { transA, transB }) {
      const o = emitterOps(em);
      return o.addMaybe(da && o.matmul(da, b, transA, transB), db && o.matmul(a, db, transA, transB));
    },
    vjp(em, [a, b], _y, g, { transA, transB }) {
      const o = emitterOps(em);
      // y = op(a) op(b); the four layouts of the two adjoints.
      if (!transA && !transB) return [o.matmul(g, b, false, true), o.matmul(a, g, true, false)];
      if (!transA && transB) return [o.matmul(g, b, false, false), o.matmul(g, a, true, false)];
      if (transA && !transB) return [o.matmul(b, g, false, true), o.matmul(a, g, false, false)];
      return [o.matmul(b, g, true, true), o.matmul(g, a, true, true)];
    },
  },
};
