/**
 * conv2d and its two bilinear backward ops; their VJPs are each other, their JVPs themselves
 * (twin of native/autodiff/ops/conv_ops.cpp).
 */
import { ShapeError } from '../../errors.js';
import { checkShape, formatShape as fmt } from '../../core/shape.js';
import { emitterOps } from '../js/emitterOps.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from '../js/conv2d.js';
import type { OpRows } from './opRow.js';
import { checkConvPair, convOutputSize, expectPair } from './shapeRules.js';

export const CONV_OPS: OpRows<'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardWeight'> = {
  conv2d: {
    arity: 2,
    inputNames: ['x', 'w'],
    infer: (op, [x, w], attrs) => {
      checkConvPair(op, x.shape, w.shape);
      const stride = expectPair(op, attrs.stride, 'stride', 1);
      const padding = expectPair(op, attrs.padding, 'padding', 0);
      const [oh, ow] = convOutputSize(op, x.shape, w.shape, stride, padding);
      return [x.shape[0], w.shape[0], oh, ow];
    },
    kernel: ([x, w], { stride, padding }) => conv2d(x, w, stride, padding),
    jvp(em, [x, w], [dx, dw], _y, attrs) {
      const o = emitterOps(em);
      return o.addMaybe(dx && em.apply('conv2d', [dx, w], attrs), dw && em.apply('conv2d', [x, dw], attrs));
    },
    vjp(em, [x, w], _y, g, { stride, padding }) {
      return [
        em.apply('conv2dBackwardInput', [g, w], { stride, padding, inputShape: [...em.shape(x)] }),
        em.apply('conv2dBackwardWeight', [x, g], { stride, padding, weightShape: [...em.shape(w)] }),
      ];
    },
  },
  /** conv2dBackwardInput(g, w) = conv^T_w(g). Bilinear; its adjoints are conv2d and conv2dBackwardWeight. */
  conv2dBackwardInput: {
    arity: 2,
    inputNames: ['g', 'w'],
    infer: (op, [g, w], attrs) => {
      const stride = expectPair(op, attrs.stride, 'stride', 1);
      const padding = expectPair(op, attrs.padding, 'padding', 0);
      const xs = attrs.inputShape;
      checkShape(op, xs);
      checkConvPair(op, xs, w.shape);
      const [oh, ow] = convOutputSize(op, xs, w.shape, stride, padding);
      const expected = [xs[0], w.shape[0], oh, ow];
      if (g.shape.length !== 4 || g.shape.some((d, i) => d !== expected[i])) {
        throw new ShapeError(`${op}: gradient must have shape ${fmt(expected)}, got ${fmt(g.shape)}`);
      }
      return [...xs];
    },
    kernel: ([g, w], { stride, padding, inputShape }) => conv2dBackwardInput(g, w, stride, padding, inputShape),
    jvp(em, [g, w], [dg, dw], _y, attrs) {
      const o = emitterOps(em);
      return o.addMaybe(
        dg && em.apply('conv2dBackwardInput', [dg, w], attrs),
        dw && em.apply('conv2dBackwardInput', [g, dw], attrs),
      );
    },
    vjp(em, [g, w], _y, c, { stride, padding }) {
      // <c, convT_w(g)> = <conv_w(c), g>
      return [
        em.apply('conv2d', [c, w], { stride, padding }),
        em.apply('conv2dBackwardWeight', [c, g], { stride, padding, weightShape: [...em.shape(w)] }),
      ];
    },
  },
  /** conv2dBackwardWeight(x, g): <c, bw(x, g)> = <conv(x, c), g>. */
  conv2dBackwardWeight: {
    arity: 2,
    inputNames: ['x', 'g'],
    infer: (op, [x, g], attrs) => {
      const stride = expectPair(op, attrs.stride, 'stride', 1);
      const padding = expectPair(op, attrs.padding, 'padding', 0);
      const ws = attrs.weightShape;
      checkShape(op, ws);
      checkConvPair(op, x.shape, ws);
      const [oh, ow] = convOutputSize(op, x.shape, ws, stride, padding);
      const expected = [x.shape[0], ws[0], oh, ow];
      if (g.shape.length !== 4 || g.shape.some((d, i) => d !== expected[i])) {
        throw new ShapeError(`${op}: gradient must have shape ${fmt(expected)}, got ${fmt(g.shape)}`);
      }
      return [...ws];
    },
    kernel: ([x, g], { stride, padding, weightShape }) => conv2dBackwardWeight(x, g, stride, padding, weightShape),
    jvp(em, [x, g], [dx, dg], _y, attrs) {
      const o = emitterOps(em);
      return o.addMaybe(
        dx && em.apply('conv2dBackwardWeight', [dx, g], attrs),
        dg && em.apply('conv2dBackwardWeight', [x, dg], attrs),
      );
    },
    vjp(em, [x, g], _y, c, { stride, padding }) {
      return [
        em.apply('conv2dBackwardInput', [g, c], { stride, padding, inputShape: [...em.shape(x)] }),
        em.apply('conv2d', [x, c], { stride, padding }),
      ];
    },
  },
};
