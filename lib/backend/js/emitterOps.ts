/**
 * Friendly wrappers over an Emitter, so the rules read like math: o.mul(g, o.exp(x)).
 * Shape-only helpers (unbroadcast, expand) live here too.
 */
import { broadcastAxes, sameShape } from '../../core/shape.js';
import type { Emitter } from './emitter.js';

const none = {} as Record<string, never>;

const cache = new WeakMap<object, unknown>();

/** The wrappers for an emitter, built once per emitter. */
export function emitterOps<T>(em: Emitter<T>): EmitterOps<T> {
  let ops = cache.get(em) as EmitterOps<T> | undefined;
  if (!ops) {
    ops = makeEmitterOps(em);
    cache.set(em, ops);
  }
  return ops;
}

export type EmitterOps<T> = ReturnType<typeof makeEmitterOps<T>>;

function makeEmitterOps<T>(em: Emitter<T>) {
  const o = {
    shape: (t: T) => em.shape(t),
    zeros: (shape: readonly number[], like: T) => em.zeros(shape, em.dtype(like)),
    matmul: (a: T, b: T, transA = false, transB = false) => em.apply('matmul', [a, b], { transA, transB }),
    add: (a: T, b: T) => em.apply('add', [a, b], none),
    sub: (a: T, b: T) => em.apply('sub', [a, b], none),
    mul: (a: T, b: T) => em.apply('mul', [a, b], none),
    div: (a: T, b: T) => em.apply('div', [a, b], none),
    neg: (x: T) => em.apply('neg', [x], none),
    exp: (x: T) => em.apply('exp', [x], none),
    square: (x: T) => em.apply('square', [x], none),
    sigmoid: (x: T) => em.apply('sigmoid', [x], none),
    addScalar: (x: T, value: number) => em.apply('addScalar', [x], { value }),
    mulScalar: (x: T, value: number) => em.apply('mulScalar', [x], { value }),
    powScalar: (x: T, value: number) => em.apply('powScalar', [x], { value }),
    reluMask: (x: T, g: T) => em.apply('reluMask', [x, g], none),
    sum: (x: T, axes: number[], keepDims: boolean) => em.apply('sum', [x], { axes, keepDims }),
    reshape: (x: T, shape: readonly number[]) =>
      sameShape(em.shape(x), shape) ? x : em.apply('reshape', [x], { shape: [...shape] }),
    broadcastTo: (x: T, shape: readonly number[]) => em.apply('broadcastTo', [x], { shape: [...shape] }),
    concat: (xs: T[], axis: number) => (xs.length === 1 ? xs[0] : em.apply('concat', xs, { axis })),
    slice: (x: T, axis: number, start: number, end: number) => em.apply('slice', [x], { axis, start, end }),

    /** a + b where null means zero. */
    addMaybe: (a: T | null, b: T | null): T | null => (a === null ? b : b === null ? a : o.add(a, b)),

    /** Broadcasts t to shape unless it already has it. */
    expand: (t: T, shape: readonly number[]) => (sameShape(em.shape(t), shape) ? t : o.broadcastTo(t, shape)),

    /** Sums a gradient shaped like a broadcast result back to the operand's shape. */
    unbroadcast: (g: T, shape: readonly number[]): T => {
      const gShape = em.shape(g);
      if (sameShape(gShape, shape)) return g;
      const axes = broadcastAxes(shape, gShape);
      return o.reshape(o.sum(g, axes, false), shape);
    },

    /** Sums over the last axis, keeping it (for softmax-style rules). */
    sumLast: (x: T) => o.sum(x, [em.shape(x).length - 1], true),
  };
  return o;
}
