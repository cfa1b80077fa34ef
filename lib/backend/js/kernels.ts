/**
 * Forward kernels of the pure-TypeScript core, one row per primitive. Each receives inputs
 * already validated by inferOutput (lib/core/opTable.ts) and the inferred output shape.
 */
import type { PrimitiveAttrMap, PrimitiveName } from '../primitives.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv2d.js';
import { squaredEuclidean } from './distance.js';
import { binaryFunctions, mapBinary, mapUnary, reluMask, unaryFunctions } from './elementwise.js';
import type { JsTensor } from './jsTensor.js';
import { matmul } from './matmul.js';
import { oneHot } from './oneHot.js';
import { maxPool2d, maxPool2dScatter, maxPool2dSelect } from './pool.js';
import { sum } from './reduce.js';
import { broadcastTo, concat, reshape, slice } from './shape.js';
import { logSoftmax, softmax } from './softmax.js';

export type Kernel<P extends PrimitiveName> = (inputs: JsTensor[], attrs: PrimitiveAttrMap[P], outShape: number[]) => JsTensor;

const unary = (f: (x: number) => number) => ([x]: JsTensor[]) => mapUnary(x, f);
const binary = (f: (a: number, b: number) => number) => ([a, b]: JsTensor[], _attrs: unknown, out: number[]) =>
  mapBinary(a, b, out, f);

export const KERNELS: { [P in PrimitiveName]: Kernel<P> } = {
  matmul: ([a, b], { transA, transB }) => matmul(a, b, transA, transB),
  add: binary(binaryFunctions.add),
  sub: binary(binaryFunctions.sub),
  mul: binary(binaryFunctions.mul),
  div: binary(binaryFunctions.div),
  neg: unary(unaryFunctions.neg),
  exp: unary(unaryFunctions.exp),
  log: unary(unaryFunctions.log),
  sqrt: unary(unaryFunctions.sqrt),
  square: unary(unaryFunctions.square),
  relu: unary(unaryFunctions.relu),
  tanh: unary(unaryFunctions.tanh),
  sigmoid: unary(unaryFunctions.sigmoid),
  softplus: unary(unaryFunctions.softplus),
  abs: unary(unaryFunctions.abs),
  addScalar: ([x], { value }) => mapUnary(x, (v) => v + value),
  mulScalar: ([x], { value }) => mapUnary(x, (v) => v * value),
  powScalar: ([x], { value }) => mapUnary(x, (v) => v ** value),
  reluMask: ([x, g]) => reluMask(x, g),
  sum: ([x], { axes }, out) => sum(x, axes, out),
  broadcastTo: ([x], { shape }) => broadcastTo(x, shape),
  reshape: ([x], { shape }) => reshape(x, shape),
  concat: (xs, { axis }, out) => concat(xs, axis, out),
  slice: ([x], { axis, start, end }, out) => slice(x, axis, start, end, out),
  softmax: ([x]) => softmax(x),
  logSoftmax: ([x]) => logSoftmax(x),
  conv2d: ([x, w], { stride, padding }) => conv2d(x, w, stride, padding),
  conv2dBackwardInput: ([g, w], { stride, padding, inputShape }) => conv2dBackwardInput(g, w, stride, padding, inputShape),
  conv2dBackwardWeight: ([x, g], { stride, padding, weightShape }) => conv2dBackwardWeight(x, g, stride, padding, weightShape),
  maxPool2d: ([x], attrs) => maxPool2d(x, attrs),
  maxPool2dSelect: ([x, t], attrs) => maxPool2dSelect(x, t, attrs),
  maxPool2dScatter: ([x, g], attrs) => maxPool2dScatter(x, g, attrs),
  squaredEuclidean: ([a, b]) => squaredEuclidean(a, b),
  oneHot: ([labels], { numClasses }) => oneHot(labels, numClasses),
};
