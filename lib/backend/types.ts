/**
 * The one interface both cores implement: the native binding (lib/backend/native.ts wraps
 * binding.d.ts) and the pure-TypeScript twin (lib/backend/js/). The front end (lib/core)
 * talks only to this.
 */
import type { PrimitiveAttrs, PrimitiveName } from './primitives.js';

export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;

/** An opaque tensor owned by a backend (native memory or a JS typed array). */
export interface Handle {
  readonly __backendHandle: true;
}

/** One primitive application inside a program. Value ids: program inputs first, then nodes in order. */
export interface ProgramNode {
  op: PrimitiveName;
  inputs: number[];
  attrs: PrimitiveAttrs;
  /** Output shape and dtype, inferred by the front end. */
  shape: number[];
  dtype: DType;
}

/**
 * A recorded computation: a straight-line list of primitives over its inputs.
 * Value id i < inputs.length is input i; value id inputs.length + j is node j's output.
 * Constants captured while tracing are ordinary inputs.
 */
export interface ProgramSpec {
  inputs: { shape: number[]; dtype: DType }[];
  nodes: ProgramNode[];
  outputs: number[];
}

/** A program compiled by a backend; evaluated and differentiated with no call back into JS. */
export interface CompiledProgram {
  /** Outputs for the given inputs. */
  run(inputs: Handle[]): Handle[];
  /**
   * Reverse mode. cotangents: one per output (null = zeros). Returns the outputs and the
   * gradient of sum_o <cotangent_o, output_o> with respect to each input listed in wrt.
   */
  vjp(inputs: Handle[], cotangents: (Handle | null)[], wrt: number[]): { outputs: Handle[]; grads: Handle[] };
  /** Forward mode. tangents: one per input (null = zero). Returns outputs and their tangents. */
  jvp(inputs: Handle[], tangents: (Handle | null)[]): { outputs: Handle[]; tangents: Handle[] };
  /**
   * Forward-over-reverse. Same as vjp, plus the directional derivative of those gradients
   * along the input tangents: for a scalar output with cotangent 1 this is H v.
   */
  hvp(
    inputs: Handle[],
    tangents: (Handle | null)[],
    cotangents: (Handle | null)[],
    wrt: number[],
  ): { outputs: Handle[]; grads: Handle[]; gradTangents: Handle[] };
  dispose(): void;
}

export interface Backend {
  readonly name: 'native' | 'js';
  /** Copies data into a new backend tensor. data.length must equal the product of shape. */
  fromArray(data: TypedArray, shape: readonly number[]): Handle;
  /** A copy of the tensor's elements. */
  toArray(h: Handle): TypedArray;
  shapeOf(h: Handle): number[];
  dtypeOf(h: Handle): DType;
  /** Frees the tensor's memory now; later use throws DisposedError. Idempotent. */
  dispose(h: Handle): void;
  /** Eager: apply one primitive. */
  exec<P extends PrimitiveName>(op: P, inputs: Handle[], attrs: PrimitiveAttrs<P>): Handle;
  compile(spec: ProgramSpec): CompiledProgram;
  /** Number of live tensors this backend holds (for leak tests). */
  liveTensors(): number;
}
