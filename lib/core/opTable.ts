/**
 * Shape and dtype inference with validation, from the shape rule of each primitive's row in
 * the op table (lib/backend/ops/).
 * Both the front end (before recording or executing an op) and the pure-TypeScript core
 * (defensively, before running a kernel) call inferOutput; every failure is a typed error
 * naming the op and the shapes.
 */
import { DTypeError, ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import type { PrimitiveAttrs, PrimitiveName } from '../backend/primitives.js';
import { PRIMITIVES } from '../backend/primitives.js';
import { OP_TABLE, type Infer, type TensorType } from '../backend/ops/index.js';
import { checkAllocation } from './allocation.js';

export type { TensorType } from '../backend/ops/index.js';
export { MAX_GEMM_DIM } from '../backend/ops/shapeRules.js';

export interface OutputType {
  shape: number[];
  dtype: DType;
}

/** Number of tensor inputs of a primitive (concat: any number >= 1, reported as -1). */
export function arityOf(op: PrimitiveName): number {
  return OP_TABLE[op].arity;
}

/** The name of a primitive's i-th tensor input, for messages: matmul's a, conv2d's w, concat's xs[i]. */
export function inputNameOf(op: PrimitiveName, i: number): string {
  const row = Object.hasOwn(OP_TABLE, op) ? OP_TABLE[op] : undefined; // an unknown op fails later, in inferOutput
  if (row && row.arity < 0) return `${row.inputNames?.[0] ?? 'xs'}[${i}]`;
  return row?.inputNames?.[i] ?? (i === 0 ? 'x' : `input ${i}`);
}

/** Validates one application of a primitive and returns its output shape and dtype. */
export function inferOutput<P extends PrimitiveName>(op: P, inputs: TensorType[], attrs: PrimitiveAttrs<P>): OutputType {
  if (!(PRIMITIVES as readonly string[]).includes(op)) throw new ValueError(`unknown primitive '${op}'`);
  const n = arityOf(op);
  if (n >= 0 && inputs.length !== n) {
    throw new ValueError(`${op}: expects ${n} tensor input(s), got ${inputs.length}`);
  }
  const dtype = inputs[0]?.dtype ?? 'float32';
  for (const t of inputs) {
    if (t.dtype !== dtype) {
      throw new DTypeError(`${op}: inputs must share one dtype, got ${inputs.map((i) => i.dtype).join(' and ')}`);
    }
  }
  if (attrs === null || typeof attrs !== 'object') throw new ValueError(`${op}: attributes must be an object, got ${String(attrs)}`);
  const infer = OP_TABLE[op].infer as Infer<P>;
  const shape = infer(op, inputs, attrs);
  checkAllocation(op, shape, dtype);
  return { shape, dtype };
}
