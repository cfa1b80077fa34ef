/**
 * Shape and dtype inference with validation, one row per primitive (lib/backend/primitives.ts).
 * Both the front end (before recording or executing an op) and the pure-TypeScript core
 * (defensively, before running a kernel) call inferOutput; every failure is a typed error
 * naming the op and the shapes.
 */
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import type { PrimitiveAttrMap, PrimitiveAttrs, PrimitiveName } from '../backend/primitives.js';
import { PRIMITIVES } from '../backend/primitives.js';
import { broadcastShapes, broadcastsTo, checkShape, formatShape as fmt, sizeOf } from './shape.js';
import { checkAllocation } from './allocation.js';

export interface TensorType {
  shape: readonly number[];
  dtype: DType;
}

export interface OutputType {
  shape: number[];
  dtype: DType;
}

type Infer<P extends PrimitiveName> = (op: P, inputs: TensorType[], attrs: PrimitiveAttrMap[P]) => number[];

function shapesOf(inputs: TensorType[]): string {
  return inputs.map((t) => fmt(t.shape)).join(' and ');
}

function expectRank(op: string, t: TensorType, rank: number, what: string): void {
  if (t.shape.length !== rank) {
    throw new ShapeError(`${op}: ${what} must have rank ${rank}, got shape ${fmt(t.shape)}`);
  }
}

function expectSameShape(op: string, inputs: TensorType[]): void {
  const [a, b] = inputs;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: inputs must have the same shape, got ${shapesOf(inputs)}`);
  }
}

/** An attribute value in a message (a bigint shows its n; a symbol does not throw). */
const attrText = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : String(v));

function expectPair(op: string, v: readonly number[] | undefined, what: string, min: number): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x) && x >= min)) {
    throw new ValueError(`${op}: ${what} must be two integers >= ${min}, got ${Array.isArray(v) ? `[${v.map(attrText).join(',')}]` : attrText(v)}`);
  }
  return [v[0], v[1]];
}

const unary: Infer<PrimitiveName> = (_op, [x]) => [...x.shape];

const binary: Infer<PrimitiveName> = (op, inputs) => {
  const out = broadcastShapes(inputs[0].shape, inputs[1].shape);
  if (!out) throw new ShapeError(`${op}: shapes ${shapesOf(inputs)} do not broadcast`);
  return out;
};

function scalarAttr(op: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${op}: attribute value must be a finite number, got ${String(value)}`);
  }
}

/**
 * The largest matrix dimension of a GEMM: the native kernels index with int32. Both backends
 * refuse the same shapes (native/ops/ops.cpp require_gemm_dims), empty or not.
 */
export const MAX_GEMM_DIM = 2 ** 31 - 1;

function expectGemmDims(op: string, dims: number[], shapes: string): void {
  for (const d of dims) {
    if (d > MAX_GEMM_DIM) {
      throw new ShapeError(`${op}: ${shapes} has a matrix dimension of ${d}, above the limit of ${MAX_GEMM_DIM}`);
    }
  }
}

function convOutputSize(op: string, x: readonly number[], w: readonly number[], stride: [number, number], padding: [number, number]): [number, number] {
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

function checkConvPair(op: string, x: readonly number[], w: readonly number[]): void {
  if (x.length !== 4 || w.length !== 4) {
    throw new ShapeError(`${op}: expected x [N,C,H,W] and w [O,C,KH,KW], got ${fmt(x)} and ${fmt(w)}`);
  }
  if (x[1] !== w[1]) {
    throw new ShapeError(`${op}: input channels differ: x ${fmt(x)} has ${x[1]}, w ${fmt(w)} has ${w[1]}`);
  }
}

function poolOutput(op: string, x: readonly number[], kernel: [number, number], stride: [number, number]): number[] {
  if (x.length !== 4) throw new ShapeError(`${op}: expected x [N,C,H,W], got ${fmt(x)}`);
  const oh = Math.floor((x[2] - kernel[0]) / stride[0]) + 1;
  const ow = Math.floor((x[3] - kernel[1]) / stride[1]) + 1;
  if (oh < 1 || ow < 1) throw new ShapeError(`${op}: kernel ${kernel.join('x')} does not fit input ${fmt(x)}`);
  return [x[0], x[1], oh, ow];
}

const rules: { [P in PrimitiveName]: Infer<P> } = {
  matmul: (op, inputs, { transA, transB }) => {
    const [a, b] = inputs;
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw new ShapeError(`${op}: expects 2-D inputs, got ${shapesOf(inputs)}`);
    }
    const [n, ka] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [kb, m] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
    if (ka !== kb) {
      throw new ShapeError(
        `${op}: inner dimensions differ: ${fmt(a.shape)}${transA ? '^T' : ''} x ${fmt(b.shape)}${transB ? '^T' : ''} (${ka} vs ${kb})`,
      );
    }
    expectGemmDims(op, [n, ka, m], `${fmt(a.shape)} x ${fmt(b.shape)}`);
    return [n, m];
  },
  add: binary, sub: binary, mul: binary, div: binary,
  neg: unary, exp: unary, log: unary, sqrt: unary, square: unary, relu: unary,
  tanh: unary, sigmoid: unary, softplus: unary, abs: unary,
  addScalar: (op, [x], { value }) => (scalarAttr(op, value), [...x.shape]),
  mulScalar: (op, [x], { value }) => (scalarAttr(op, value), [...x.shape]),
  powScalar: (op, [x], { value }) => (scalarAttr(op, value), [...x.shape]),
  reluMask: (op, inputs) => (expectSameShape(op, inputs), [...inputs[0].shape]),
  sum: (op, [x], { axes, keepDims }) => {
    const rank = x.shape.length;
    if (!Array.isArray(axes)) throw new ShapeError(`${op}: axes must be an array of axes, got ${String(axes)}`);
    for (let i = 0; i < axes.length; i++) {
      if (!Number.isInteger(axes[i]) || axes[i] < 0 || axes[i] >= rank || (i > 0 && axes[i] <= axes[i - 1])) {
        throw new ShapeError(`${op}: axes [${axes.map(String).join(',')}] must be sorted, unique and in [0, ${rank}) for shape ${fmt(x.shape)}`);
      }
    }
    const out: number[] = [];
    x.shape.forEach((d, i) => {
      if (!axes.includes(i)) out.push(d);
      else if (keepDims) out.push(1);
    });
    return out;
  },
  broadcastTo: (op, [x], { shape }) => {
    checkShape(op, shape);
    if (!broadcastsTo(x.shape, shape)) throw new ShapeError(`${op}: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
    return [...shape];
  },
  reshape: (op, [x], { shape }) => {
    checkShape(op, shape);
    if (sizeOf(shape) !== sizeOf(x.shape)) {
      throw new ShapeError(`${op}: cannot reshape ${fmt(x.shape)} (${sizeOf(x.shape)} elements) to ${fmt(shape)}`);
    }
    return [...shape];
  },
  concat: (op, inputs, { axis }) => {
    if (inputs.length === 0) throw new ValueError(`${op}: needs at least one input`);
    const first = inputs[0].shape;
    if (!Number.isInteger(axis) || axis < 0 || axis >= first.length) {
      throw new ShapeError(`${op}: axis ${String(axis)} out of range for ${fmt(first)}`);
    }
    let total = 0;
    for (const t of inputs) {
      const ok = t.shape.length === first.length && t.shape.every((d, i) => i === axis || d === first[i]);
      if (!ok) throw new ShapeError(`${op}: shapes ${shapesOf(inputs)} differ outside axis ${String(axis)}`);
      total += t.shape[axis];
    }
    const out = [...first];
    out[axis] = total;
    return out;
  },
  slice: (op, [x], { axis, start, end }) => {
    if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length) {
      throw new ShapeError(`${op}: axis ${String(axis)} out of range for ${fmt(x.shape)}`);
    }
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > x.shape[axis]) {
      throw new ShapeError(`${op}: range ${String(start)}:${String(end)} out of bounds for axis ${String(axis)} of ${fmt(x.shape)}`);
    }
    const out = [...x.shape];
    out[axis] = end - start;
    return out;
  },
  softmax: (op, [x]) => {
    if (x.shape.length === 0) throw new ShapeError(`${op}: needs rank >= 1, got a scalar`);
    return [...x.shape];
  },
  logSoftmax: (op, [x]) => {
    if (x.shape.length === 0) throw new ShapeError(`${op}: needs rank >= 1, got a scalar`);
    return [...x.shape];
  },
  conv2d: (op, [x, w], attrs) => {
    checkConvPair(op, x.shape, w.shape);
    const stride = expectPair(op, attrs.stride, 'stride', 1);
    const padding = expectPair(op, attrs.padding, 'padding', 0);
    const [oh, ow] = convOutputSize(op, x.shape, w.shape, stride, padding);
    return [x.shape[0], w.shape[0], oh, ow];
  },
  conv2dBackwardInput: (op, [g, w], attrs) => {
    const stride = expectPair(op, attrs.stride, 'stride', 1);
    const padding = expectPair(op, attrs.padding, 'padding', 0);
    const xs = attrs.inputShape;
    checkShape(op, xs);
    checkConvPair(op, xs, w.shape);
    const [oh, ow] = convOutputSize(op, xs, w.shape, stride, padding);
    const expected = [xs[0], w.shape[0], oh, ow];
    if (g.shape.length !== 4 || g.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError(`${op}: gradient must have shape ${fmt(expected)}, got ${fmt(g.shape)}`);
    }
    return [...xs];
  },
  conv2dBackwardWeight: (op, [x, g], attrs) => {
    const stride = expectPair(op, attrs.stride, 'stride', 1);
    const padding = expectPair(op, attrs.padding, 'padding', 0);
    const ws = attrs.weightShape;
    checkShape(op, ws);
    checkConvPair(op, x.shape, ws);
    const [oh, ow] = convOutputSize(op, x.shape, ws, stride, padding);
    const expected = [x.shape[0], ws[0], oh, ow];
    if (g.shape.length !== 4 || g.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError(`${op}: gradient must have shape ${fmt(expected)}, got ${fmt(g.shape)}`);
    }
    return [...ws];
  },
  maxPool2d: (op, [x], attrs) =>
    poolOutput(op, x.shape, expectPair(op, attrs.kernel, 'kernel', 1), expectPair(op, attrs.stride, 'stride', 1)),
  maxPool2dSelect: (op, inputs, attrs) => {
    expectSameShape(op, inputs);
    return poolOutput(op, inputs[0].shape, expectPair(op, attrs.kernel, 'kernel', 1), expectPair(op, attrs.stride, 'stride', 1));
  },
  maxPool2dScatter: (op, [x, g], attrs) => {
    const pooled = poolOutput(op, x.shape, expectPair(op, attrs.kernel, 'kernel', 1), expectPair(op, attrs.stride, 'stride', 1));
    if (g.shape.length !== 4 || g.shape.some((d, i) => d !== pooled[i])) {
      throw new ShapeError(`${op}: gradient must have the pooled shape ${fmt(pooled)}, got ${fmt(g.shape)}`);
    }
    return [...x.shape];
  },
  squaredEuclidean: (op, inputs) => {
    const [a, b] = inputs;
    expectRank(op, a, 2, 'a');
    expectRank(op, b, 2, 'b');
    if (a.shape[1] !== b.shape[1]) throw new ShapeError(`${op}: feature sizes differ: ${shapesOf(inputs)}`);
    expectGemmDims(op, [a.shape[0], b.shape[0], a.shape[1]], shapesOf(inputs));
    return [a.shape[0], b.shape[0]];
  },
  oneHot: (op, [labels], { numClasses }) => {
    expectRank(op, labels, 1, 'labels');
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new ValueError(`${op}: numClasses must be a positive integer, got ${String(numClasses)}`);
    }
    return [labels.shape[0], numClasses];
  },
};

const arity: Partial<Record<PrimitiveName, number>> = {
  matmul: 2, add: 2, sub: 2, mul: 2, div: 2, reluMask: 2,
  conv2d: 2, conv2dBackwardInput: 2, conv2dBackwardWeight: 2,
  maxPool2dSelect: 2, maxPool2dScatter: 2, squaredEuclidean: 2,
};

/** Number of tensor inputs of a primitive (concat: any number >= 1, reported as -1). */
export function arityOf(op: PrimitiveName): number {
  if (op === 'concat') return -1;
  return arity[op] ?? 1;
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
  const infer = rules[op] as Infer<P>;
  const shape = infer(op, inputs, attrs);
  checkAllocation(op, shape, dtype);
  return { shape, dtype };
}
