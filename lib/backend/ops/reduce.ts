/** sum over sorted, unique axes, optionally keeping them (twin of native/autodiff/ops/reduce_ops.cpp). */
import { ShapeError } from '../../errors.js';
import { formatShape as fmt } from '../../core/shape.js';
import { emitterOps } from '../js/emitterOps.js';
import { sum } from '../js/reduce.js';
import type { OpRows } from './opRow.js';
import { linear } from './ruleHelpers.js';

export const REDUCE_OPS: OpRows<'sum'> = {
  sum: {
    arity: 1,
    infer: (op, [x], { axes, keepDims }) => {
      const rank = x.shape.length;
      if (!Array.isArray(axes)) throw new ShapeError(`${op}: axes must be an array of axes, got ${String(axes)}`);
      for (let i = 0; i < axes.length; i++) {
        if (!Number.isInteger(axes[i]) || axes[i] < 0 || axes[i] >= rank || (i > 0 && axes[i] <= axes[i - 1])) {
          throw new ShapeError(`${op}: axes [${axes.map(String).join(',')}] must be sorted, unique and in [0, ${rank}) for shape ${fmt(x.shape)}`);
        }
      }
      const out: number[] = [];
      x.shape.forEach((d, i) => {
        if (!axes.includes(i)) out.push(d);
        else if (keepDims) out.push(1);
      });
      return out;
    },
    kernel: ([x], { axes }, out) => sum(x, axes, out),
    ...linear<'sum'>(
      (em, dx, _x, { axes, keepDims }) => emitterOps(em).sum(dx, axes, keepDims),
      (em, g, x, { axes }) => {
        const o = emitterOps(em);
        const xShape = o.shape(x);
        const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
        return o.expand(o.reshape(g, kept), xShape);
      },
    ),
  },
};
