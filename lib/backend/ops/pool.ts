/**
 * maxPool2d and the two linear routes of its derivatives, select (JVP) and scatter (VJP): linear
 * in their second input and transposes of each other (twin of native/autodiff/ops/pool_ops.cpp).
 */
import { ShapeError } from '../../errors.js';
import { formatShape as fmt } from '../../core/shape.js';
import { maxPool2d, maxPool2dScatter, maxPool2dSelect } from '../js/pool.js';
import type { OpRows, Rule } from './opRow.js';
import { expectPair, expectSameShape, poolOutput } from './shapeRules.js';

type PoolOp = 'maxPool2dSelect' | 'maxPool2dScatter';

function poolRoute<P extends PoolOp>(op: PoolOp, adjoint: PoolOp): Rule<P> {
  return {
    jvp: (em, [x], [, dt], _y, attrs) => (dt ? em.apply(op, [x, dt], attrs) : null),
    vjp: (em, [x], _y, c, attrs) => [null, em.apply(adjoint, [x, c], attrs)],
  };
}

export const POOL_OPS: OpRows<'maxPool2d' | PoolOp> = {
  maxPool2d: {
    arity: 1,
    infer: (op, [x], attrs) =>
      poolOutput(op, x.shape, expectPair(op, attrs.kernel, 'kernel', 1), expectPair(op, attrs.stride, 'stride', 1)),
    kernel: ([x], attrs) => maxPool2d(x, attrs),
    jvp: (em, [x], [dx], _y, attrs) => em.apply('maxPool2dSelect', [x, dx!], attrs),
    vjp: (em, [x], _y, g, attrs) => [em.apply('maxPool2dScatter', [x, g], attrs)],
  },
  maxPool2dSelect: {
    arity: 2,
    inputNames: ['x', 't'],
    infer: (op, inputs, attrs) => {
      expectSameShape(op, inputs);
      return poolOutput(op, inputs[0].shape, expectPair(op, attrs.kernel, 'kernel', 1), expectPair(op, attrs.stride, 'stride', 1));
    },
    kernel: ([x, t], attrs) => maxPool2dSelect(x, t, attrs),
    ...poolRoute<'maxPool2dSelect'>('maxPool2dSelect', 'maxPool2dScatter'),
  },
  maxPool2dScatter: {
    arity: 2,
    inputNames: ['x', 'g'],
    infer: (op, [x, g], attrs) => {
      const pooled = poolOutput(op, x.shape, expectPair(op, attrs.kernel, 'kernel', 1), expectPair(op, attrs.stride, 'stride', 1));
      if (g.shape.length !== 4 || g.shape.some((d, i) => d !== pooled[i])) {
        throw new ShapeError(`${op}: gradient must have the pooled shape ${fmt(pooled)}, got ${fmt(g.shape)}`);
      }
      return [...x.shape];
    },
    kernel: ([x, g], attrs) => maxPool2dScatter(x, g, attrs),
    ...poolRoute<'maxPool2dScatter'>('maxPool2dScatter', 'maxPool2dSelect'),
  },
};
