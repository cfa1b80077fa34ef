/**
 * An Emitter applies primitives to values of some type T. The JVP and VJP rules (the op table, lib/backend/ops/)
 * are written once against this interface and run on two kinds of values:
 *  - plain tensors (PlainEmitter): ordinary forward, JVP and VJP;
 *  - duals {value, tangent} (DualEmitter): every primitive also pushes its tangent forward
 *    with its JVP rule. Running the VJP rules on duals therefore yields gradients together
 *    with their directional derivatives: forward-over-reverse Hessian-vector products.
 */
import { inferOutput } from '../../core/opTable.js';
import type { PrimitiveAttrs, PrimitiveName } from '../primitives.js';
import type { DType } from '../types.js';
import { allocate, type JsTensor } from './jsTensor.js';
import { OP_TABLE, type Kernel } from '../ops/index.js';

export interface Emitter<T> {
  apply<P extends PrimitiveName>(op: P, inputs: T[], attrs: PrimitiveAttrs<P>): T;
  shape(t: T): readonly number[];
  dtype(t: T): DType;
  zeros(shape: readonly number[], dtype: DType): T;
}

/** Validates and runs one kernel. */
export function execKernel<P extends PrimitiveName>(op: P, inputs: JsTensor[], attrs: PrimitiveAttrs<P>): JsTensor {
  const { shape } = inferOutput(op, inputs, attrs);
  return (OP_TABLE[op].kernel as Kernel<P>)(inputs, attrs, shape);
}

export const plainEmitter: Emitter<JsTensor> = {
  apply: execKernel,
  shape: (t) => t.shape,
  dtype: (t) => t.dtype,
  zeros: allocate,
};

/** A value with its tangent; null tangent means zero. */
export interface Dual {
  value: JsTensor;
  tangent: JsTensor | null;
}

export const dualEmitter: Emitter<Dual> = {
  apply(op, inputs, attrs) {
    const values = inputs.map((d) => d.value);
    const value = execKernel(op, values, attrs);
    const tangents = inputs.map((d) => d.tangent);
    const tangent = tangents.some((t) => t !== null)
      ? OP_TABLE[op].jvp(plainEmitter, values, tangents, value, attrs)
      : null;
    return { value, tangent };
  },
  shape: (d) => d.value.shape,
  dtype: (d) => d.value.dtype,
  zeros: (shape, dtype) => ({ value: allocate(shape, dtype), tangent: null }),
};
