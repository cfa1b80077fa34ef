/**
 * Friendly front-end signatures for every primitive (lib/backend/primitives.ts). Numbers are
 * accepted where a scalar operand makes sense (add(x, 1), div(1, x)); negative axes count
 * from the end.
 */
import { ShapeError, ValueError } from '../errors.js';
import { apply } from '../core/apply.js';
import { normalizeAxis, sizeOf, formatShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { expectArray, expectTensor, optionsRecord } from '../core/args.js';

const none = {} as Record<string, never>;
export type Operand = Tensor | number;

export function matmul(a: Tensor, b: Tensor, options: { transA?: boolean; transB?: boolean } = {}): Tensor {
  const { transA, transB } = optionsRecord(options, 'matmul: options');
  return apply('matmul', [a, b], { transA: transA === true, transB: transB === true });
}

function checkNumber(op: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: scalar operand must be a finite number, got ${String(v)}`);
  if (op === 'div' && v === 0) throw new ValueError('div: division by the number 0');
  return v;
}

function bothNumbers(op: string): never {
  throw new ValueError(`${op}: at least one operand must be a Tensor`);
}

export function add(a: Operand, b: Operand): Tensor {
  if (Tensor.isTensor(a) && Tensor.isTensor(b)) return apply('add', [a, b], none);
  if (Tensor.isTensor(a)) return addScalar(a, checkNumber('add', b as number));
  if (Tensor.isTensor(b)) return addScalar(b, checkNumber('add', a));
  return bothNumbers('add');
}

export function sub(a: Operand, b: Operand): Tensor {
  if (Tensor.isTensor(a) && Tensor.isTensor(b)) return apply('sub', [a, b], none);
  if (Tensor.isTensor(a)) return addScalar(a, -checkNumber('sub', b as number));
  if (Tensor.isTensor(b)) return addScalar(neg(b), checkNumber('sub', a));
  return bothNumbers('sub');
}

export function mul(a: Operand, b: Operand): Tensor {
  if (Tensor.isTensor(a) && Tensor.isTensor(b)) return apply('mul', [a, b], none);
  if (Tensor.isTensor(a)) return mulScalar(a, checkNumber('mul', b as number));
  if (Tensor.isTensor(b)) return mulScalar(b, checkNumber('mul', a));
  return bothNumbers('mul');
}

export function div(a: Operand, b: Operand): Tensor {
  if (Tensor.isTensor(a) && Tensor.isTensor(b)) return apply('div', [a, b], none);
  if (Tensor.isTensor(a)) return mulScalar(a, 1 / checkNumber('div', b as number));
  if (Tensor.isTensor(b)) return mulScalar(powScalar(b, -1), checkNumber('mul', a));
  return bothNumbers('div');
}

export const neg = (x: Tensor): Tensor => apply('neg', [x], none);
export const exp = (x: Tensor): Tensor => apply('exp', [x], none);
export const log = (x: Tensor): Tensor => apply('log', [x], none);
export const sqrt = (x: Tensor): Tensor => apply('sqrt', [x], none);
export const square = (x: Tensor): Tensor => apply('square', [x], none);
export const relu = (x: Tensor): Tensor => apply('relu', [x], none);
export const tanh = (x: Tensor): Tensor => apply('tanh', [x], none);
export const sigmoid = (x: Tensor): Tensor => apply('sigmoid', [x], none);
/** log(1 + exp(x)), computed stably. */
export const softplus = (x: Tensor): Tensor => apply('softplus', [x], none);
export const abs = (x: Tensor): Tensor => apply('abs', [x], none);
export const addScalar = (x: Tensor, value: number): Tensor => apply('addScalar', [x], { value });
export const mulScalar = (x: Tensor, value: number): Tensor => apply('mulScalar', [x], { value });
export const powScalar = (x: Tensor, value: number): Tensor => apply('powScalar', [x], { value });
export const pow = powScalar;
/** g where x > 0, else 0 (relu's VJP). */
export const reluMask = (x: Tensor, g: Tensor): Tensor => apply('reluMask', [x, g], none);

/** Sorted, unique, non-negative axes; undefined means all axes. */
export function normalizeAxes(op: string, x: Tensor, axis?: number | number[]): number[] {
  expectTensor(x, `${op}: x`);
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  const axes = [...new Set(list.map((a) => normalizeAxis(op, a, x.rank)))].sort((a, b) => a - b);
  if (axes.length !== list.length) throw new ValueError(`${op}: repeated axis in [${list.map(String).join(',')}]`);
  return axes;
}

/** Sum over axis (a number, a list, or all axes when omitted). */
export function sum(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return apply('sum', [x], { axes: normalizeAxes('sum', x, axis), keepDims });
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return apply('broadcastTo', [x], { shape: [...expectArray(shape, 'broadcastTo: shape')] as number[] });
}

/** Reshape; one entry may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  expectTensor(x, 'reshape: x');
  expectArray(shape, 'reshape: shape');
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new ShapeError(`reshape: at most one -1 allowed, got ${formatShape(shape)}`);
  let resolved = [...shape];
  if (inferred === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
    }
    resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  return apply('reshape', [x], { shape: resolved });
}

export function concat(xs: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ValueError('concat: needs a non-empty array of tensors');
  return apply('concat', xs, { axis: normalizeAxis('concat', axis, expectTensor(xs[0], 'concat: xs[0]').rank) });
}

/** x[..., start:end, ...] along axis. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  return apply('slice', [x], { axis: normalizeAxis('slice', axis, expectTensor(x, 'slice: x').rank), start, end });
}

/** Softmax along the last axis. */
export const softmax = (x: Tensor): Tensor => apply('softmax', [x], none);
/** Log-softmax along the last axis. */
export const logSoftmax = (x: Tensor): Tensor => apply('logSoftmax', [x], none);

export type Pair = number | [number, number];
export const pair = (v: Pair): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v, v]);

/** The conv2d primitive (no bias): x [N,C,H,W], w [O,C,KH,KW] -> [N,O,OH,OW]. */
export function conv2dRaw(x: Tensor, w: Tensor, options: { stride?: Pair; padding?: Pair } = {}): Tensor {
  return apply('conv2d', [x, w], convAttrs('conv2d', options));
}

/** Stride and padding of a conv options argument (defaults 1 and 0; opTable checks the values). */
function convAttrs(op: string, options: { stride?: Pair; padding?: Pair } | undefined): { stride: [number, number]; padding: [number, number] } {
  const { stride, padding } = optionsRecord(options, `${op}: options`);
  return { stride: pair(stride ?? 1), padding: pair(padding ?? 0) };
}

export function conv2dBackwardInput(g: Tensor, w: Tensor, inputShape: readonly number[], options: { stride?: Pair; padding?: Pair } = {}): Tensor {
  const shape = [...expectArray(inputShape, 'conv2dBackwardInput: inputShape')] as number[];
  return apply('conv2dBackwardInput', [g, w], { ...convAttrs('conv2dBackwardInput', options), inputShape: shape });
}

export function conv2dBackwardWeight(x: Tensor, g: Tensor, weightShape: readonly number[], options: { stride?: Pair; padding?: Pair } = {}): Tensor {
  const shape = [...expectArray(weightShape, 'conv2dBackwardWeight: weightShape')] as number[];
  return apply('conv2dBackwardWeight', [x, g], { ...convAttrs('conv2dBackwardWeight', options), weightShape: shape });
}

export interface PoolOptions {
  kernel: Pair;
  /** Defaults to the kernel size. */
  stride?: Pair;
}

function poolAttrs(op: string, options: PoolOptions): { kernel: [number, number]; stride: [number, number] } {
  const { kernel, stride } = optionsRecord(options, `${op}: options`);
  if (kernel === undefined) throw new ValueError(`${op}: options.kernel is required`);
  return { kernel: pair(kernel), stride: pair(stride ?? kernel) };
}

/** Max pooling, no padding: x [N,C,H,W]. */
export const maxPool2d = (x: Tensor, options: PoolOptions): Tensor => apply('maxPool2d', [x], poolAttrs('maxPool2d', options));
export const maxPool2dSelect = (x: Tensor, t: Tensor, options: PoolOptions): Tensor =>
  apply('maxPool2dSelect', [x, t], poolAttrs('maxPool2dSelect', options));
export const maxPool2dScatter = (x: Tensor, g: Tensor, options: PoolOptions): Tensor =>
  apply('maxPool2dScatter', [x, g], poolAttrs('maxPool2dScatter', options));

/** a [n,d], b [m,d] -> [n,m] squared distances. */
export const squaredEuclidean = (a: Tensor, b: Tensor): Tensor => apply('squaredEuclidean', [a, b], none);
