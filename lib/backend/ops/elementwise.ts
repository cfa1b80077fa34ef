/**
 * Elementwise primitives: broadcasting binary ops, unary maps, the scalar ops and reluMask
 * (twin of native/autodiff/ops/elementwise_ops.cpp).
 */
import type { Emitter } from '../js/emitter.js';
import { emitterOps } from '../js/emitterOps.js';
import { binaryFunctions, mapBinary, mapUnary, reluMask, unaryFunctions } from '../js/elementwise.js';
import type { OpRow, OpRows, Rule } from './opRow.js';
import { elementwise, linear } from './ruleHelpers.js';
import { binary, expectSameShape, scalarAttr, unary } from './shapeRules.js';

type ElementwiseOp =
  | 'add' | 'sub' | 'mul' | 'div'
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'square' | 'relu' | 'tanh' | 'sigmoid' | 'softplus' | 'abs'
  | 'addScalar' | 'mulScalar' | 'powScalar'
  | 'reluMask';

type UnaryMap = keyof typeof unaryFunctions;
type BinaryOp = keyof typeof binaryFunctions;
type ScalarOp = 'addScalar' | 'mulScalar' | 'powScalar';

/** A unary map's row: unaryFunctions[op] on every element. */
const mapRow = <P extends UnaryMap>(op: P, rule: Rule<P>): OpRow<P> => ({
  arity: 1, infer: unary, kernel: ([x]) => mapUnary(x, unaryFunctions[op]), ...rule,
});

/** A broadcasting binary op's row: binaryFunctions[op] elementwise. */
const zipRow = <P extends BinaryOp>(op: P, rule: Rule<P>): OpRow<P> => ({
  arity: 2, inputNames: ['a', 'b'], infer: binary, kernel: ([a, b], _attrs, out) => mapBinary(a, b, out, binaryFunctions[op]), ...rule,
});

/** A scalar op's row: y = f(x, attrs.value), the value checked by the shape rule. */
const scalarRow = <P extends ScalarOp>(f: (v: number, value: number) => number, rule: Rule<P>): OpRow<P> => ({
  arity: 1,
  infer: (op, [x], { value }) => (scalarAttr(op, value), [...x.shape]),
  kernel: ([x], { value }) => mapUnary(x, (v) => f(v, value)),
  ...rule,
});

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

export const ELEMENTWISE_OPS: OpRows<ElementwiseOp> = {
  add: zipRow('add', additive<'add'>(1)),
  sub: zipRow('sub', additive<'sub'>(-1)),
  mul: zipRow('mul', mulRule),
  div: zipRow('div', divRule),
  neg: mapRow('neg', linear((em, dx) => emitterOps(em).neg(dx), (em, g) => emitterOps(em).neg(g))),
  exp: mapRow('exp', elementwise((_em, _x, y) => y)),
  log: mapRow('log', elementwise((em, x) => emitterOps(em).powScalar(x, -1))),
  sqrt: mapRow('sqrt', elementwise((em, _x, y) => emitterOps(em).mulScalar(emitterOps(em).powScalar(y, -1), 0.5))),
  square: mapRow('square', elementwise((em, x) => emitterOps(em).mulScalar(x, 2))),
  relu: mapRow('relu', linear((em, dx, x) => emitterOps(em).reluMask(x, dx), (em, g, x) => emitterOps(em).reluMask(x, g))),
  // tanh' = 1 - y^2
  tanh: mapRow('tanh', elementwise((em, _x, y) => emitterOps(em).addScalar(emitterOps(em).neg(emitterOps(em).square(y)), 1))),
  // sigmoid' = y (1 - y)
  sigmoid: mapRow('sigmoid', elementwise((em, _x, y) => {
    const o = emitterOps(em);
    return o.mul(y, o.addScalar(o.neg(y), 1));
  })),
  softplus: mapRow('softplus', elementwise((em, x) => emitterOps(em).sigmoid(x))),
  abs: mapRow('abs', linear((em, dx, x) => signTimes(em, x, dx), (em, g, x) => signTimes(em, x, g))),
  addScalar: scalarRow((v, value) => v + value, linear((_em, dx) => dx, (_em, g) => g)),
  mulScalar: scalarRow((v, value) => v * value, linear<'mulScalar'>(
    (em, dx, _x, { value }) => emitterOps(em).mulScalar(dx, value),
    (em, g, _x, { value }) => emitterOps(em).mulScalar(g, value),
  )),
  powScalar: scalarRow((v, value) => v ** value, powRule),
  reluMask: {
    arity: 2,
    inputNames: ['x', 'g'],
    infer: (op, inputs) => (expectSameShape(op, inputs), [...inputs[0].shape]),
    kernel: ([x, g]) => reluMask(x, g),
    ...reluMaskRule,
  },
};
