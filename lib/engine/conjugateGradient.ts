/**
 * Conjugate gradient for A x = b where A is symmetric positive definite and only available
 * as a product v -> A v (iMAML: A = I + H/lambda through Hessian-vector products). Vectors
 * are lists of backend handles (one per parameter tensor); inner products sum over all.
 */
import type { Backend, Handle } from '../backend/types.js';
import { disposeHandles } from '../core/ownership.js';
import { addHandles, scaleHandle, zerosLike } from './handleMath.js';

export interface ConjugateGradientOptions {
  /** Maximum iterations (at most the dimension is needed in exact arithmetic). */
  maxSteps: number;
  /** Stop when |r| <= tolerance * |b|. */
  tolerance: number;
}

/** Sum over tensors of <a_i, b_i>, accumulated in float64. */
export function dot(backend: Backend, a: Handle[], b: Handle[]): number {
  let total = 0;
  a.forEach((ai, i) => {
    const x = backend.toArray(ai);
    const y = backend.toArray(b[i]);
    for (let k = 0; k < x.length; k++) total += x[k] * y[k];
  });
  return total;
}

/** a + s * b, as new handles (also A v = v + H v / lambda's sum). */
export function addScaled(backend: Backend, a: Handle[], s: number, b: Handle[]): Handle[] {
  return a.map((ai, i) => {
    const sb = scaleHandle(backend, b[i], s);
    const out = addHandles(backend, ai, sb);
    backend.dispose(sb);
    return out;
  });
}

/** Solves A x = b from x_0 = 0. Returns x (new handles) and the iterations used. */
export function conjugateGradient(
  backend: Backend,
  applyA: (v: Handle[]) => Handle[],
  b: Handle[],
  options: ConjugateGradientOptions,
): { x: Handle[]; steps: number } {
  let x = b.map((bi) => zerosLike(backend, bi));
  let r = b.map((bi) => scaleHandle(backend, bi, 1));
  let p = b.map((bi) => scaleHandle(backend, bi, 1));
  let rr = dot(backend, r, r);
  const stop = options.tolerance * options.tolerance * rr;
  let steps = 0;
  while (steps < options.maxSteps && rr > stop && rr > 0) {
    const ap = applyA(p);
    const alpha = rr / dot(backend, p, ap);
    const xNext = addScaled(backend, x, alpha, p);
    const rNext = addScaled(backend, r, -alpha, ap);
    disposeHandles(backend, [...x, ...r, ...ap]);
    x = xNext;
    r = rNext;
    const rrNext = dot(backend, r, r);
    const pNext = addScaled(backend, r, rrNext / rr, p);
    disposeHandles(backend, p);
    p = pNext;
    rr = rrNext;
    steps++;
  }
  disposeHandles(backend, [...r, ...p]);
  return { x, steps };
}
