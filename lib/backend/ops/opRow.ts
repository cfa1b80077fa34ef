/**
 * The shape of one row of the TypeScript op table (lib/backend/ops/index.ts), the twin of
 * native/autodiff/op_table.h's OpDef: everything about one primitive in one place.
 */
import type { PrimitiveAttrMap, PrimitiveName } from '../primitives.js';
import type { DType } from '../types.js';
import type { Emitter } from '../js/emitter.js';
import type { JsTensor } from '../js/jsTensor.js';

export interface TensorType {
  shape: readonly number[];
  dtype: DType;
}

/** Shape rule: validates the inputs and attributes (typed errors naming the op) and returns the output shape. */
export type Infer<P extends PrimitiveName> = (op: P, inputs: TensorType[], attrs: PrimitiveAttrMap[P]) => number[];

/** Forward kernel of the pure-TypeScript core: inputs already validated by the shape rule, and the output shape. */
export type Kernel<P extends PrimitiveName> = (inputs: JsTensor[], attrs: PrimitiveAttrMap[P], outShape: number[]) => JsTensor;

/**
 * JVP and VJP rules, written in terms of primitives (via an Emitter), so that the same rules
 * run on plain tensors and on duals (lib/backend/js/emitter.ts).
 * jvp(inputs, tangents, output) -> output tangent (tangent null = zero input tangent).
 * vjp(inputs, output, cotangent) -> one input cotangent per input (null = zero / not differentiable).
 */
export interface Rule<P extends PrimitiveName> {
  jvp<T>(em: Emitter<T>, inputs: T[], tangents: (T | null)[], output: T, attrs: PrimitiveAttrMap[P]): T | null;
  vjp<T>(em: Emitter<T>, inputs: T[], output: T, cotangent: T, attrs: PrimitiveAttrMap[P]): (T | null)[];
}

export interface OpRow<P extends PrimitiveName> extends Rule<P> {
  /** Number of tensor inputs; -1 = one or more (concat). */
  arity: number;
  /** Names of the tensor inputs in error messages (default: x); with arity -1, the list's name (xs[i]). */
  inputNames?: readonly string[];
  infer: Infer<P>;
  kernel: Kernel<P>;
}

/** Rows keyed by primitive name: a family file's rows, or (with every name) the whole table. */
export type OpRows<K extends PrimitiveName> = { [P in K]: OpRow<P> };
export type OpTable = OpRows<PrimitiveName>;
