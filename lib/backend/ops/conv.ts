/**
 * conv2d and its two bilinear backward ops; their VJPs are each other, their JVPs themselves
 * (twin of native/autodiff/ops/conv_ops.cpp).
 */
import { ShapeError } from '../../errors.js';
import { checkShape, formatShape as fmt } from '../../core/shape.js';
import { emitterOps } from '../js/emitterOps.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from '../js/conv2d.js';
import type { OpRows, Rule, TensorType } from './opRow.js';
import { checkConvPair, convOutputSize, expectPair } from './shapeRules.js';

type ConvOp = 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardWeight';

/** The JVP of a bilinear op y = op(a, b): op(da, b) + op(a, db). */
function bilinearJvp(op: ConvOp): Rule<ConvOp>['jvp'] {
  return (em, [a, b], [da, db], _y, attrs) =>
    emitterOps(em).addMaybe(da && em.apply(op, [da, b], attrs), db && em.apply(op, [a, db], attrs));
}

/**
 * A backward op's shape rule: stride, padding and its shape attribute (x's or w's, which
 * `pair` places) checked, then the gradient must have conv2d's output shape; returns attrShape.
 */
function backwardShape(
  op: ConvOp,
  attrs: { stride: readonly number[]; padding: readonly number[] },
  attrShape: readonly number[],
  g: TensorType,
  pair: (attrShape: readonly number[]) => [readonly number[], readonly number[]],
): number[] {
  const stride = expectPair(op, attrs.stride, 'stride', 1);
  const padding = expectPair(op, attrs.padding, 'padding', 0);
  checkShape(op, attrShape);
  const [xs, ws] = pair(attrShape);
  checkConvPair(op, xs, ws);
  const [oh, ow] = convOutputSize(op, xs, ws, stride, padding);
  const expected = [xs[0], ws[0], oh, ow];
  if (g.shape.length !== 4 || g.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${op}: gradient must have shape ${fmt(expected)}, got ${fmt(g.shape)}`);
  }
  return [...attrShape];
}

export const CONV_OPS: OpRows<ConvOp> = {
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
    jvp: bilinearJvp('conv2d'),
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
    infer: (op, [g, w], attrs) => backwardShape(op, attrs, attrs.inputShape, g, (xs) => [xs, w.shape]),
    kernel: ([g, w], { stride, padding, inputShape }) => conv2dBackwardInput(g, w, stride, padding, inputShape),
    jvp: bilinearJvp('conv2dBackwardInput'),
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
    infer: (op, [x, g], attrs) => backwardShape(op, attrs, attrs.weightShape, g, (ws) => [x.shape, ws]),
    kernel: ([x, g], { stride, padding, weightShape }) => conv2dBackwardWeight(x, g, stride, padding, weightShape),
    jvp: bilinearJvp('conv2dBackwardWeight'),
    vjp(em, [x, g], _y, c, { stride, padding }) {
      return [
        em.apply('conv2dBackwardInput', [g, c], { stride, padding, inputShape: [...em.shape(x)] }),
        em.apply('conv2d', [x, c], { stride, padding }),
      ];
    },
  },
};
