/** softmax and logSoftmax along the last axis (twin of native/autodiff/ops/softmax_ops.cpp). */
import { ShapeError } from '../../errors.js';
import { emitterOps } from '../js/emitterOps.js';
import { logSoftmax, softmax } from '../js/softmax.js';
import type { Infer, OpRows } from './opRow.js';

const lastAxisShape: Infer<'softmax' | 'logSoftmax'> = (op, [x]) => {
  if (x.shape.length === 0) throw new ShapeError(`${op}: needs rank >= 1, got a scalar`);
  return [...x.shape];
};

export const SOFTMAX_OPS: OpRows<'softmax' | 'logSoftmax'> = {
  softmax: {
    arity: 1,
    infer: lastAxisShape,
    kernel: ([x]) => softmax(x),
    // dy = y * (dx - sum(y * dx)); the Jacobian is symmetric, so the VJP has the same form.
    jvp(em, _x, [dx], y) {
      const o = emitterOps(em);
      return o.mul(y, o.sub(dx!, o.sumLast(o.mul(y, dx!))));
    },
    vjp(em, _x, y, g) {
      const o = emitterOps(em);
      return [o.mul(y, o.sub(g, o.sumLast(o.mul(y, g))))];
    },
  },
  logSoftmax: {
    arity: 1,
    infer: lastAxisShape,
    kernel: ([x]) => logSoftmax(x),
    // dy = dx - sum(softmax * dx);  vjp: g - softmax * sum(g);  softmax = exp(y).
    jvp(em, _x, [dx], y) {
      const o = emitterOps(em);
      return o.sub(dx!, o.sumLast(o.mul(o.exp(y), dx!)));
    },
    vjp(em, _x, y, g) {
      const o = emitterOps(em);
      return [o.sub(g, o.mul(o.exp(y), o.sumLast(g)))];
    },
  },
};
