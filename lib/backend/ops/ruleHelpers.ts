/** Builders of the JVP/VJP rules shared by several op families. */
import type { PrimitiveAttrMap, PrimitiveName } from '../primitives.js';
import type { Emitter } from '../js/emitter.js';
import { emitterOps } from '../js/emitterOps.js';
import type { Rule } from './opRow.js';

/** A rule for y = f(x) with f'(x) expressed by `derivative` (elementwise): jvp = f' * dx, vjp = f' * g. */
export function elementwise(derivative: <T>(em: Emitter<T>, x: T, y: T) => T): Rule<PrimitiveName> {
  return {
    jvp: (em, [x], [dx], y) => emitterOps(em).mul(dx!, derivative(em, x, y)),
    vjp: (em, [x], y, g) => [emitterOps(em).mul(g, derivative(em, x, y))],
  };
}

/** A rule for a map that is linear in its single input: jvp = f(dx), vjp = fT(g). */
export function linear<P extends PrimitiveName>(
  forward: <T>(em: Emitter<T>, dx: T, x: T, attrs: PrimitiveAttrMap[P]) => T,
  transpose: <T>(em: Emitter<T>, g: T, x: T, attrs: PrimitiveAttrMap[P]) => T,
): Rule<P> {
  return {
    jvp: (em, [x], [dx], _y, attrs) => forward(em, dx!, x, attrs),
    vjp: (em, [x], _y, g, attrs) => [transpose(em, g, x, attrs)],
  };
}
