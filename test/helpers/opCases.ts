/**
 * One case per primitive and per composite op: input shapes, how to draw inputs so that
 * derivatives exist (no kinks, no ties, positive where required), and the function under
 * test. Shared by the derivative tests and the native-vs-JS agreement tests.
 */
import * as ops from '../../lib/ops/index.js';
import type { Tensor } from '../../lib/core/tensor.js';
import type { Distribution } from './random.js';

export interface InputSpec {
  shape: number[];
  dist?: Distribution;
  /** Fixed values for data inputs (labels); such inputs are not differentiated. */
  values?: number[];
}

export interface OpCase {
  name: string;
  inputs: InputSpec[];
  f: (xs: Tensor[]) => Tensor;
}

const labels = (values: number[]): InputSpec => ({ shape: [values.length], values });

export const PRIMITIVE_CASES: OpCase[] = [
  { name: 'matmul', inputs: [{ shape: [3, 4] }, { shape: [4, 2] }], f: ([a, b]) => ops.matmul(a, b) },
  { name: 'matmul transA', inputs: [{ shape: [4, 3] }, { shape: [4, 2] }], f: ([a, b]) => ops.matmul(a, b, { transA: true }) },
  { name: 'matmul transB', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }], f: ([a, b]) => ops.matmul(a, b, { transB: true }) },
  { name: 'matmul transA transB', inputs: [{ shape: [4, 3] }, { shape: [2, 4] }], f: ([a, b]) => ops.matmul(a, b, { transA: true, transB: true }) },
  { name: 'add broadcast', inputs: [{ shape: [2, 3] }, { shape: [3] }], f: ([a, b]) => ops.add(a, b) },
  { name: 'sub broadcast', inputs: [{ shape: [2, 1, 3] }, { shape: [4, 1] }], f: ([a, b]) => ops.sub(a, b) },
  { name: 'mul broadcast', inputs: [{ shape: [2, 3] }, { shape: [2, 1] }], f: ([a, b]) => ops.mul(a, b) },
  { name: 'div broadcast', inputs: [{ shape: [2, 3] }, { shape: [3], dist: 'positive' }], f: ([a, b]) => ops.div(a, b) },
  // 4-D broadcasting patterns of batch norm: the native core collapses axes walked alike.
  { name: 'mul per-channel 4-D', inputs: [{ shape: [2, 3, 4, 5] }, { shape: [1, 3, 1, 1] }], f: ([a, b]) => ops.mul(a, b) },
  { name: 'sub per-channel 4-D, broadcast on the left', inputs: [{ shape: [3, 1, 1] }, { shape: [2, 3, 2, 4] }], f: ([a, b]) => ops.sub(a, b) },
  { name: 'add outer-product broadcast 4-D', inputs: [{ shape: [2, 1, 4, 1] }, { shape: [1, 3, 1, 5] }], f: ([a, b]) => ops.add(a, b) },
  { name: 'div size-1 middle axes', inputs: [{ shape: [2, 1, 1, 6] }, { shape: [2, 1, 1, 1], dist: 'positive' }], f: ([a, b]) => ops.div(a, b) },
  { name: 'neg', inputs: [{ shape: [5] }], f: ([x]) => ops.neg(x) },
  { name: 'exp', inputs: [{ shape: [5] }], f: ([x]) => ops.exp(x) },
  { name: 'log', inputs: [{ shape: [5], dist: 'positive' }], f: ([x]) => ops.log(x) },
  { name: 'sqrt', inputs: [{ shape: [5], dist: 'positive' }], f: ([x]) => ops.sqrt(x) },
  { name: 'square', inputs: [{ shape: [5] }], f: ([x]) => ops.square(x) },
  { name: 'relu', inputs: [{ shape: [6], dist: 'awayFromZero' }], f: ([x]) => ops.relu(x) },
  { name: 'tanh', inputs: [{ shape: [5] }], f: ([x]) => ops.tanh(x) },
  { name: 'sigmoid', inputs: [{ shape: [5] }], f: ([x]) => ops.sigmoid(x) },
  { name: 'softplus', inputs: [{ shape: [5] }], f: ([x]) => ops.softplus(x) },
  { name: 'abs', inputs: [{ shape: [6], dist: 'awayFromZero' }], f: ([x]) => ops.abs(x) },
  { name: 'addScalar', inputs: [{ shape: [4] }], f: ([x]) => ops.addScalar(x, 1.5) },
  { name: 'mulScalar', inputs: [{ shape: [4] }], f: ([x]) => ops.mulScalar(x, -2.5) },
  { name: 'powScalar 3', inputs: [{ shape: [4] }], f: ([x]) => ops.powScalar(x, 3) },
  { name: 'powScalar -1.5', inputs: [{ shape: [4], dist: 'positive' }], f: ([x]) => ops.powScalar(x, -1.5) },
  { name: 'reluMask', inputs: [{ shape: [6], dist: 'awayFromZero' }, { shape: [6] }], f: ([x, g]) => ops.reluMask(x, g) },
  { name: 'sum all', inputs: [{ shape: [2, 3] }], f: ([x]) => ops.sum(x) },
  { name: 'sum axes keepDims', inputs: [{ shape: [2, 3, 4] }], f: ([x]) => ops.sum(x, [0, 2], true) },
  { name: 'broadcastTo', inputs: [{ shape: [3, 1] }], f: ([x]) => ops.broadcastTo(x, [2, 3, 4]) },
  { name: 'sum axes 0,2,3 of 4-D (per channel)', inputs: [{ shape: [3, 2, 4, 5] }], f: ([x]) => ops.sum(x, [0, 2, 3], true) },
  { name: 'sum axes 1,3 of 4-D', inputs: [{ shape: [2, 3, 2, 7] }], f: ([x]) => ops.sum(x, [1, 3]) },
  { name: 'broadcastTo per-channel 4-D', inputs: [{ shape: [1, 3, 1, 1] }], f: ([x]) => ops.broadcastTo(x, [2, 3, 4, 5]) },
  { name: 'broadcastTo inner axis', inputs: [{ shape: [2, 1, 3] }], f: ([x]) => ops.broadcastTo(x, [2, 4, 3]) },
  { name: 'reshape', inputs: [{ shape: [2, 6] }], f: ([x]) => ops.mul(ops.reshape(x, [3, -1]), ops.reshape(x, [3, 4])) },
  { name: 'concat', inputs: [{ shape: [2, 1] }, { shape: [2, 3] }], f: ([a, b]) => ops.concat([a, b], 1) },
  { name: 'slice', inputs: [{ shape: [3, 5] }], f: ([x]) => ops.slice(x, 1, 1, 4) },
  { name: 'softmax', inputs: [{ shape: [2, 4] }], f: ([x]) => ops.softmax(x) },
  { name: 'logSoftmax', inputs: [{ shape: [2, 4] }], f: ([x]) => ops.logSoftmax(x) },
  {
    name: 'conv2d stride 2 padding 1, 3x2 kernel',
    inputs: [{ shape: [2, 2, 5, 6] }, { shape: [3, 2, 3, 2] }],
    f: ([x, w]) => ops.conv2dRaw(x, w, { stride: 2, padding: 1 }),
  },
  {
    name: 'conv2d stride [1,2] padding [0,1]',
    inputs: [{ shape: [1, 2, 4, 5] }, { shape: [2, 2, 2, 3] }],
    f: ([x, w]) => ops.conv2dRaw(x, w, { stride: [1, 2], padding: [0, 1] }),
  },
  {
    name: 'conv2d 5x5 padding 2 (border taps)',
    inputs: [{ shape: [2, 2, 6, 7] }, { shape: [2, 2, 5, 5] }],
    f: ([x, w]) => ops.conv2dRaw(x, w, { padding: 2 }),
  },
  {
    name: 'conv2d stride 3 padding 2, 2x4 kernel',
    inputs: [{ shape: [1, 2, 7, 8] }, { shape: [2, 2, 2, 4] }],
    f: ([x, w]) => ops.conv2dRaw(x, w, { stride: 3, padding: 2 }),
  },
  {
    name: 'conv2dBackwardInput',
    inputs: [{ shape: [2, 3, 3, 4] }, { shape: [3, 2, 3, 2] }],
    f: ([g, w]) => ops.conv2dBackwardInput(g, w, [2, 2, 5, 6], { stride: 2, padding: 1 }),
  },
  {
    name: 'conv2dBackwardWeight',
    inputs: [{ shape: [2, 2, 5, 6] }, { shape: [2, 3, 3, 4] }],
    f: ([x, g]) => ops.conv2dBackwardWeight(x, g, [3, 2, 3, 2], { stride: 2, padding: 1 }),
  },
  { name: 'maxPool2d 2x2', inputs: [{ shape: [2, 2, 4, 4], dist: 'distinct' }], f: ([x]) => ops.maxPool2d(x, { kernel: 2 }) },
  {
    name: 'maxPool2d 3x2 stride [1,2]',
    inputs: [{ shape: [1, 2, 5, 5], dist: 'distinct' }],
    f: ([x]) => ops.maxPool2d(x, { kernel: [3, 2], stride: [1, 2] }),
  },
  {
    name: 'maxPool2dSelect',
    inputs: [{ shape: [1, 2, 4, 4], dist: 'distinct' }, { shape: [1, 2, 4, 4] }],
    f: ([x, t]) => ops.maxPool2dSelect(x, t, { kernel: 2 }),
  },
  {
    name: 'maxPool2dScatter',
    inputs: [{ shape: [1, 2, 4, 4], dist: 'distinct' }, { shape: [1, 2, 2, 2] }],
    f: ([x, g]) => ops.maxPool2dScatter(x, g, { kernel: 2 }),
  },
  { name: 'squaredEuclidean', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }], f: ([a, b]) => ops.squaredEuclidean(a, b) },
  {
    name: 'oneHot (labels are data)',
    inputs: [{ shape: [4, 3] }, labels([2, 0, 1, 2])],
    f: ([x, y]) => ops.mul(x, ops.oneHot(y, 3)),
  },
];

export const COMPOSITE_CASES: OpCase[] = [
  { name: 'linear', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }, { shape: [2] }], f: ([x, w, b]) => ops.linear(x, w, b) },
  { name: 'mean axis', inputs: [{ shape: [2, 3, 2] }], f: ([x]) => ops.mean(x, 1) },
  { name: 'div by tensor on the left number', inputs: [{ shape: [4], dist: 'positive' }], f: ([x]) => ops.div(2, x) },
  {
    name: 'conv2d with bias',
    inputs: [{ shape: [1, 2, 5, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }],
    f: ([x, w, b]) => ops.conv2d(x, w, b, { stride: 2, padding: 1 }),
  },
  {
    name: 'batchNorm 4-D',
    inputs: [{ shape: [3, 2, 2, 2] }, { shape: [2] }, { shape: [2] }],
    f: ([x, g, b]) => ops.batchNorm(x, g, b),
  },
  { name: 'batchNorm 2-D', inputs: [{ shape: [4, 3] }, { shape: [3] }, { shape: [3] }], f: ([x, g, b]) => ops.batchNorm(x, g, b) },
  {
    name: 'crossEntropy Int32Array labels',
    inputs: [{ shape: [4, 3] }],
    f: ([x]) => ops.crossEntropy(x, new Int32Array([2, 0, 1, 1])),
  },
  { name: 'crossEntropy tensor labels', inputs: [{ shape: [4, 3] }, labels([2, 0, 1, 1])], f: ([x, y]) => ops.crossEntropy(x, y) },
  { name: 'mse', inputs: [{ shape: [4, 2] }, { shape: [4, 2] }], f: ([a, b]) => ops.mse(a, b) },
  { name: 'bceWithLogits', inputs: [{ shape: [5] }, { shape: [5], dist: 'positive' }], f: ([z, t]) => ops.bceWithLogits(z, ops.mulScalar(t, 0.4)) },
  { name: 'cosineSimilarity', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }], f: ([a, b]) => ops.cosineSimilarity(a, b) },
  {
    name: 'prototypes Int32Array labels',
    inputs: [{ shape: [5, 3] }],
    f: ([e]) => ops.prototypes(e, new Int32Array([1, 0, 1, 2, 0]), 3),
  },
  { name: 'prototypes tensor labels', inputs: [{ shape: [5, 3] }, labels([1, 0, 1, 2, 0])], f: ([e, y]) => ops.prototypes(e, y, 3) },
  {
    // Both outputs at once: [h', c'] side by side, [batch, 2*hidden].
    name: 'lstmCell (h and c)',
    inputs: [{ shape: [2, 3] }, { shape: [2, 2] }, { shape: [2, 2] }, { shape: [8, 3] }, { shape: [8, 2] }, { shape: [8] }],
    f: ([x, h, c, weightIh, weightHh, bias]) => {
      const next = ops.lstmCell(x, h, c, { weightIh, weightHh, bias });
      return ops.concat([next.h, next.c], 1);
    },
  },
  {
    name: 'squaredEuclidean to prototypes, then logSoftmax',
    inputs: [{ shape: [4, 3] }],
    f: ([e]) => ops.logSoftmax(ops.neg(ops.squaredEuclidean(e, ops.prototypes(e, new Int32Array([0, 1, 1, 0]), 2)))),
  },
];
