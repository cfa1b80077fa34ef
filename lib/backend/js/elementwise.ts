/** Elementwise kernels: unary maps, scalar ops, and NumPy-broadcasting binary ops. */
import { sameShape, stridesOf, sizeOf } from '../../core/shape.js';
import { allocate, type JsTensor } from './jsTensor.js';

type UnaryFn = (x: number) => number;
type BinaryFn = (a: number, b: number) => number;

export function mapUnary(x: JsTensor, f: UnaryFn): JsTensor {
  const out = allocate(x.shape, x.dtype);
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < od.length; i++) od[i] = f(xd[i]);
  return out;
}

/**
 * For every element of `outShape` (row-major), the flat offset of the element of a tensor
 * shaped `inShape` that broadcasting maps onto it. Broadcast axes get stride 0.
 */
export function broadcastOffsets(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const strides = new Array<number>(rank).fill(0);
  const offset = rank - inShape.length;
  for (let i = 0; i < inShape.length; i++) {
    if (inShape[i] !== 1) strides[offset + i] = inStrides[i];
  }
  return stridedOffsets(outShape, strides);
}

/** Flat offsets visited when walking `shape` in row-major order with the given per-axis strides. */
export function stridedOffsets(shape: readonly number[], strides: readonly number[]): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    out[i] = offset;
    // Increment the multi-index like an odometer, updating the offset incrementally.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      offset += strides[axis];
      if (index[axis] < shape[axis]) break;
      offset -= strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return out;
}

/** True when `shape` equals the trailing axes of `outShape` (ignoring leading 1s), so it tiles contiguously. */
function isTrailing(shape: readonly number[], outShape: readonly number[]): boolean {
  let start = 0;
  while (start < shape.length && shape[start] === 1) start++;
  const rest = shape.slice(start);
  return rest.length > 0 && sameShape(rest, outShape.slice(outShape.length - rest.length));
}

export function mapBinary(a: JsTensor, b: JsTensor, outShape: readonly number[], f: BinaryFn): JsTensor {
  const out = allocate(outShape, a.dtype);
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  if (sameShape(a.shape, outShape) && sameShape(b.shape, outShape)) {
    for (let i = 0; i < od.length; i++) od[i] = f(ad[i], bd[i]);
  } else if (sameShape(a.shape, outShape) && bd.length === 1) {
    const s = bd[0];
    for (let i = 0; i < od.length; i++) od[i] = f(ad[i], s);
  } else if (sameShape(a.shape, outShape) && isTrailing(b.shape, outShape)) {
    // b repeats along leading axes (e.g. a bias row): index it modulo its size.
    const n = bd.length;
    for (let i = 0; i < od.length; i++) od[i] = f(ad[i], bd[i % n]);
  } else if (sameShape(b.shape, outShape) && isTrailing(a.shape, outShape)) {
    const n = ad.length;
    for (let i = 0; i < od.length; i++) od[i] = f(ad[i % n], bd[i]);
  } else {
    const ao = broadcastOffsets(a.shape, outShape);
    const bo = broadcastOffsets(b.shape, outShape);
    for (let i = 0; i < od.length; i++) od[i] = f(ad[ao[i]], bd[bo[i]]);
  }
  return out;
}

export const unaryFunctions = {
  neg: (x: number) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x: number) => x * x,
  relu: (x: number) => (x > 0 ? x : 0),
  tanh: Math.tanh,
  sigmoid: (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  softplus: (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  abs: Math.abs,
} satisfies Record<string, UnaryFn>;

export const binaryFunctions = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
} satisfies Record<string, BinaryFn>;

/** reluMask(x, g): g where x > 0, else 0. */
export function reluMask(x: JsTensor, g: JsTensor): JsTensor {
  const out = allocate(x.shape, x.dtype);
  const xd = x.data;
  const gd = g.data;
  const od = out.data;
  for (let i = 0; i < od.length; i++) od[i] = xd[i] > 0 ? gd[i] : 0;
  return out;
}
