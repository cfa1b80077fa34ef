/**
 * JVP and VJP rules, one row per primitive, written in terms of primitives (via an Emitter),
 * so that the same rules run on plain tensors and on duals (see emitter.ts).
 *
 * jvp(inputs, tangents, output) -> output tangent (tangent null = zero input tangent).
 * vjp(inputs, output, cotangent) -> one input cotangent per input (null = zero / not differentiable).
 */
import type { PrimitiveAttrMap, PrimitiveName } from '../primitives.js';
import type { Emitter } from './emitter.js';
import { emitterOps } from './emitterOps.js';

export interface Rule<P extends PrimitiveName> {
  jvp<T>(em: Emitter<T>, inputs: T[], tangents: (T | null)[], output: T, attrs: PrimitiveAttrMap[P]): T | null;
  vjp<T>(em: Emitter<T>, inputs: T[], output: T, cotangent: T, attrs: PrimitiveAttrMap[P]): (T | null)[];
}

/** A rule for y = f(x) with f'(x) expressed by `derivative` (elementwise): jvp = f' * dx, vjp = f' * g. */
function elementwise(derivative: <T>(em: Emitter<T>, x: T, y: T) => T): Rule<PrimitiveName> {
  return {
    jvp: (em, [x], [dx], y) => emitterOps(em).mul(dx!, derivative(em, x, y)),
    vjp: (em, [x], y, g) => [emitterOps(em).mul(g, derivative(em, x, y))],
  };
}

/** A rule for a map that is linear in its single input: jvp = f(dx), vjp = fT(g). */
function linear<P extends PrimitiveName>(
  forward: <T>(em: Emitter<T>, dx: T, x: T, attrs: PrimitiveAttrMap[P]) => T,
  transpose: <T>(em: Emitter<T>, g: T, x: T, attrs: PrimitiveAttrMap[P]) => T,
): Rule<P> {
  return {
    jvp: (em, [x], [dx], _y, attrs) => forward(em, dx!, x, attrs),
    vjp: (em, [x], _y, g, attrs) => [transpose(em, g, x, attrs)],
  };
}

const matmulRule: Rule<'matmul'> = {
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
};

/** add / sub: tangents broadcast to the output; cotangents sum back over broadcast axes. */
function additive<P extends 'add' | 'sub'>(sign: 1 | -1): Rule<P> {
  return {
    jvp(em, _inputs, [da, db], y) {
      const o = emitterOps(em);
      const out = o.shape(y);
      const left = da && o.expand(da, out);
      const right = db && o.expand(sign === 1 ? db : o.neg(db), out);
      return o.addMaybe(left, right);
    },
    vjp(em, [a, b], _y, g) {
      const o = emitterOps(em);
      const gb = o.unbroadcast(g, o.shape(b));
      return [o.unbroadcast(g, o.shape(a)), sign === 1 ? gb : o.neg(gb)];
    },
  };
}

const mulRule: Rule<'mul'> = {
  jvp(em, [a, b], [da, db], y) {
    const o = emitterOps(em);
    const out = o.shape(y);
    return o.addMaybe(da && o.expand(o.mul(da, b), out), db && o.expand(o.mul(a, db), out));
  },
  vjp(em, [a, b], _y, g) {
    const o = emitterOps(em);
    return [o.unbroadcast(o.mul(g, b), o.shape(a)), o.unbroadcast(o.mul(g, a), o.shape(b))];
  },
};

const divRule: Rule<'div'> = {
  // y = a / b:  dy = da / b - y * db / b
  jvp(em, [, b], [da, db], y) {
    const o = emitterOps(em);
    const out = o.shape(y);
    return o.addMaybe(da && o.expand(o.div(da, b), out), db && o.neg(o.div(o.mul(y, db), b)));
  },
  vjp(em, [a, b], y, g) {
    const o = emitterOps(em);
    const gOverB = o.div(g, b);
    return [o.unbroadcast(gOverB, o.shape(a)), o.unbroadcast(o.neg(o.mul(gOverB, y)), o.shape(b))];
  },
};

/** sign(x) * t with sign(0) = 0, from primitives: t where x > 0, minus t where x < 0. */
function signTimes<T>(em: Emitter<T>, x: T, t: T): T {
  const o = emitterOps(em);
  return o.sub(o.reluMask(x, t), o.reluMask(o.neg(x), t));
}

const reluMaskRule: Rule<'reluMask'> = {
  // Linear in g; piecewise constant in x (derivative zero almost everywhere).
  jvp: (em, [x], [, dg]) => (dg ? emitterOps(em).reluMask(x, dg) : null),
  vjp: (em, [x], _y, c) => [null, emitterOps(em).reluMask(x, c)],
};

const powRule: Rule<'powScalar'> = {
  jvp(em, [x], [dx], _y, { value }) {
    const o = emitterOps(em);
    return value === 0 ? null : o.mulScalar(o.mul(dx!, o.powScalar(x, value - 1)), value);
  },
  vjp(em, [x], _y, g, { value }) {
    const o = emitterOps(em);
    return [value === 0 ? o.zeros(o.shape(x), x) : o.mulScalar(o.mul(g, o.powScalar(x, value - 1)), value)];
  },
};

const sumRule: Rule<'sum'> = linear<'sum'>(
  (em, dx, _x, { axes, keepDims }) => emitterOps(em).sum(dx, axes, keepDims),
  (em, g, x, { axes }) => {
    const o = emitterOps(em);
    const xShape = o.shape(x);
    const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
    return o.expand(o.reshape(g, kept), xShape);
  },
);

const concatRule: Rule<'concat'> = {
  jvp(em, xs, dxs, _y, { axis }) {
    const o = emitterOps(em);
    return o.concat(xs.map((x, i) => dxs[i] ?? o.zeros(o.shape(x), x)), axis);
  },
  vjp(em, xs, _y, g, { axis }) {
    const o = emitterOps(em);
    let start = 0;
    return xs.map((x) => {
      const end = start + o.shape(x)[axis];
      const part = o.slice(g, axis, start, end);
      start = end;
      return part;
    });
  },
};

const sliceRule: Rule<'slice'> = linear<'slice'>(
  (em, dx, _x, { axis, start, end }) => emitterOps(em).slice(dx, axis, start, end),
  (em, g, x, { axis, start, end }) => {
    // Pads g with zeros back to x's extent along axis.
    const o = emitterOps(em);
    const xShape = o.shape(x);
    const pad = (n: number) => o.zeros(xShape.map((d, i) => (i === axis ? n : d)), g);
    const parts: typeof g[] = [];
    if (start > 0) parts.push(pad(start));
    parts.push(g);
    if (end < xShape[axis]) parts.push(pad(xShape[axis] - end));
    return o.concat(parts, axis);
  },
);

const softmaxRule: Rule<'softmax'> = {
  // dy = y * (dx - sum(y * dx)); the Jacobian is symmetric, so the VJP has the same form.
  jvp(em, _x, [dx], y) {
    const o = emitterOps(em);
    return o.mul(y, o.sub(dx!, o.sumLast(o.mul(y, dx!))));
  },
  vjp(em, _x, y, g) {
    const o = emitterOps(em);
    return [o.mul(y, o.sub(g, o.sumLast(o.mul(y, g))))];
  },
};

const logSoftmaxRule: Rule<'logSoftmax'> = {
  // dy = dx - sum(softmax * dx);  vjp: g - softmax * sum(g);  softmax = exp(y).
  jvp(em, _x, [dx], y) {
    const o = emitterOps(em);
    return o.sub(dx!, o.sumLast(o.mul(o.exp(y), dx!)));
  },
  vjp(em, _x, y, g) {
    const o = emitterOps(em);
    return [o.sub(g, o.mul(o.exp(y), o.sumLast(g)))];
  },
};

const conv2dRule: Rule<'conv2d'> = {
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
};

/** conv2dBackwardInput(g, w) = conv^T_w(g). Bilinear; its adjoints are conv2d and conv2dBackwardWeight. */
const conv2dBackwardInputRule: Rule<'conv2dBackwardInput'> = {
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
};

/** conv2dBackwardWeight(x, g): <c, bw(x, g)> = <conv(x, c), g>. */
const conv2dBackwardWeightRule: Rule<'conv2dBackwardWeight'> = {
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
};

type PoolAttrs = PrimitiveAttrMap['maxPool2d'];

const maxPoolRule: Rule<'maxPool2d'> = {
  jvp: (em, [x], [dx], _y, attrs) => em.apply('maxPool2dSelect', [x, dx!], attrs),
  vjp: (em, [x], _y, g, attrs) => [em.apply('maxPool2dScatter', [x, g], attrs)],
};

/** select and scatter are linear in their second input and transposes of each other. */
function poolRoute<P extends 'maxPool2dSelect' | 'maxPool2dScatter'>(
  op: 'maxPool2dSelect' | 'maxPool2dScatter',
  adjoint: 'maxPool2dSelect' | 'maxPool2dScatter',
): Rule<P> {
  return {
    jvp: (em, [x], [, dt], _y, attrs: PoolAttrs) => (dt ? em.apply(op, [x, dt], attrs) : null),
    vjp: (em, [x], _y, c, attrs: PoolAttrs) => [null, em.apply(adjoint, [x, c], attrs)],
  };
}

const squaredEuclideanRule: Rule<'squaredEuclidean'> = {
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
};

const zeroRule: Rule<'oneHot'> = {
  jvp: () => null,
  vjp: () => [null],
};

export const RULES: { [P in PrimitiveName]: Rule<P> } = {
  matmul: matmulRule,
  add: additive(1),
  sub: additive(-1),
  mul: mulRule,
  div: divRule,
  neg: linear((em, dx) => emitterOps(em).neg(dx), (em, g) => emitterOps(em).neg(g)),
  exp: elementwise((_em, _x, y) => y),
  log: elementwise((em, x) => emitterOps(em).powScalar(x, -1)),
  sqrt: elementwise((em, _x, y) => emitterOps(em).mulScalar(emitterOps(em).powScalar(y, -1), 0.5)),
  square: elementwise((em, x) => emitterOps(em).mulScalar(x, 2)),
  relu: linear((em, dx, x) => emitterOps(em).reluMask(x, dx), (em, g, x) => emitterOps(em).reluMask(x, g)),
  // tanh' = 1 - y^2
  tanh: elementwise((em, _x, y) => emitterOps(em).addScalar(emitterOps(em).neg(emitterOps(em).square(y)), 1)),
  // sigmoid' = y (1 - y)
  sigmoid: elementwise((em, _x, y) => {
    const o = emitterOps(em);
    return o.mul(y, o.addScalar(o.neg(y), 1));
  }),
  softplus: elementwise((em, x) => emitterOps(em).sigmoid(x)),
  abs: linear((em, dx, x) => signTimes(em, x, dx), (em, g, x) => signTimes(em, x, g)),
  addScalar: linear((_em, dx) => dx, (_em, g) => g),
  mulScalar: linear<'mulScalar'>(
    (em, dx, _x, { value }) => emitterOps(em).mulScalar(dx, value),
    (em, g, _x, { value }) => emitterOps(em).mulScalar(g, value),
  ),
  powScalar: powRule,
  reluMask: reluMaskRule,
  sum: sumRule,
  broadcastTo: linear<'broadcastTo'>(
    (em, dx, _x, { shape }) => emitterOps(em).broadcastTo(dx, shape),
    (em, g, x) => emitterOps(em).unbroadcast(g, em.shape(x)),
  ),
  reshape: linear<'reshape'>(
    (em, dx, _x, { shape }) => emitterOps(em).reshape(dx, shape),
    (em, g, x) => emitterOps(em).reshape(g, em.shape(x)),
  ),
  concat: concatRule,
  slice: sliceRule,
  softmax: softmaxRule,
  logSoftmax: logSoftmaxRule,
  conv2d: conv2dRule,
  conv2dBackwardInput: conv2dBackwardInputRule,
  conv2dBackwardWeight: conv2dBackwardWeightRule,
  maxPool2d: maxPoolRule,
  maxPool2dSelect: poolRoute('maxPool2dSelect', 'maxPool2dScatter'),
  maxPool2dScatter: poolRoute('maxPool2dScatter', 'maxPool2dSelect'),
  squaredEuclidean: squaredEuclideanRule,
  oneHot: zeroRule,
};
