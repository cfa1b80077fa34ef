/**
 * Helpers of the shape rules (the `infer` of each op table row): validation with typed errors
 * naming the op and the shapes.
 */
import { ShapeError, ValueError } from '../../errors.js';
import type { PrimitiveName } from '../primitives.js';
import { broadcastShapes, formatShape as fmt } from '../../core/shape.js';
import type { Infer, TensorType } from './opRow.js';

export function shapesOf(inputs: TensorType[]): string {
  return inputs.map((t) => fmt(t.shape)).join(' and ');
}

export function expectRank(op: string, t: TensorType, rank: number, what: string): void {
  if (t.shape.length !== rank) {
    throw new ShapeError(`${op}: ${what} must have rank ${rank}, got shape ${fmt(t.shape)}`);
  }
}

export function expectSameShape(op: string, inputs: TensorType[]): void {
  const [a, b] = inputs;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: inputs must have the same shape, got ${shapesOf(inputs)}`);
  }
}

/** An attribute value in a message (a bigint shows its n; a symbol does not throw). */
const attrText = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : String(v));

export function expectPair(op: string, v: readonly number[] | undefined, what: string, min: number): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x) && x >= min)) {
    throw new ValueError(`${op}: ${what} must be two integers >= ${min}, got ${Array.isArray(v) ? `[${v.map(attrText).join(',')}]` : attrText(v)}`);
  }
  return [v[0], v[1]];
}

export const unary: Infer<PrimitiveName> = (_op, [x]) => [...x.shape];

export const binary: Infer<PrimitiveName> = (op, inputs) => {
  const out = broadcastShapes(inputs[0].shape, inputs[1].shape);
  if (!out) throw new ShapeError(`${op}: shapes ${shapesOf(inputs)} do not broadcast`);
  return out;
};

export function scalarAttr(op: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${op}: attribute value must be a finite number, got ${String(value)}`);
  }
}

/**
 * The largest matrix dimension of a GEMM: the native kernels index with int32. Both backends
 * refuse the same shapes (native/ops/ops.cpp require_gemm_dims), empty or not.
 */
export const MAX_GEMM_DIM = 2 ** 31 - 1;

export function expectGemmDims(op: string, dims: number[], shapes: string): void {
  for (const d of dims) {
    if (d > MAX_GEMM_DIM) {
      throw new ShapeError(`${op}: ${shapes} has a matrix dimension of ${d}, above the limit of ${MAX_GEMM_DIM}`);
    }
  }
}

export function convOutputSize(op: string, x: readonly number[], w: readonly number[], stride: [number, number], padding: [number, number]): [number, number] {
  const oh = Math.floor((x[2] + 2 * padding[0] - w[2]) / stride[0]) + 1;
  const ow = Math.floor((x[3] + 2 * padding[1] - w[3]) / stride[1]) + 1;
  if (oh < 1 || ow < 1 || w[2] < 1 || w[3] < 1) {
    throw new ShapeError(
      `${op}: kernel ${w[2]}x${w[3]} with padding ${padding.join(',')} does not fit input ${fmt(x)} (output would be ${oh}x${ow})`,
    );
  }
  // im2col: a [C*KH*KW, OH*OW] matrix of the GEMM.
  expectGemmDims(op, [w[0], x[1] * w[2] * w[3], oh * ow], `input ${fmt(x)}, weight ${fmt(w)} (im2col [C*KH*KW, OH*OW] with output ${oh}x${ow})`);
  return [oh, ow];
}

export function checkConvPair(op: string, x: readonly number[], w: readonly number[]): void {
  if (x.length !== 4 || w.length !== 4) {
    throw new ShapeError(`${op}: expected x [N,C,H,W] and w [O,C,KH,KW], got ${fmt(x)} and ${fmt(w)}`);
  }
  if (x[1] !== w[1]) {
    throw new ShapeError(`${op}: input channels differ: x ${fmt(x)} has ${x[1]}, w ${fmt(w)} has ${w[1]}`);
  }
}

export function poolOutput(op: string, x: readonly number[], kernel: [number, number], stride: [number, number]): number[] {
  if (x.length !== 4) throw new ShapeError(`${op}: expected x [N,C,H,W], got ${fmt(x)}`);
  const oh = Math.floor((x[2] - kernel[0]) / stride[0]) + 1;
  const ow = Math.floor((x[3] - kernel[1]) / stride[1]) + 1;
  if (oh < 1 || ow < 1) throw new ShapeError(`${op}: kernel ${kernel.join('x')} does not fit input ${fmt(x)}`);
  return [x[0], x[1], oh, ow];
}

