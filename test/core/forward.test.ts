/** Forward values against hand-computed references, on every available backend. */
import { it, expect } from 'vitest';
import { tensor, ops } from '../../lib/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/finiteDifferences.js';

const f64 = (data: number[], shape: number[]) => tensor(data, shape, 'float64');

describeEachBackend('forward values', () => {
  it('matmul [2,3] x [3,2] by hand, and with both transposes', () => {
    const a = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = f64([7, 8, 9, 10, 11, 12], [3, 2]);
    // [1*7+2*9+3*11, 1*8+2*10+3*12; 4*7+5*9+6*11, 4*8+5*10+6*12]
    expectClose(ops.matmul(a, b).toArray(), [58, 64, 139, 154], 0, 0);
    const aT = f64([1, 4, 2, 5, 3, 6], [3, 2]);
    const bT = f64([7, 9, 11, 8, 10, 12], [2, 3]);
    expectClose(ops.matmul(aT, bT, { transA: true, transB: true }).toArray(), [58, 64, 139, 154], 0, 0);
  });

  it('broadcasting add/sub/mul/div and scalar operands', () => {
    const a = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const row = f64([10, 20, 30], [3]);
    const col = f64([2, 4], [2, 1]);
    expectClose(ops.add(a, row).toArray(), [11, 22, 33, 14, 25, 36], 0, 0);
    expectClose(ops.sub(a, col).toArray(), [-1, 0, 1, 0, 1, 2], 0, 0);
    expectClose(ops.mul(col, row).toArray(), [20, 40, 60, 40, 80, 120], 0, 0);
    expectClose(ops.div(a, col).toArray(), [0.5, 1, 1.5, 1, 1.25, 1.5], 0, 0);
    expectClose(ops.sub(1, a).toArray(), [0, -1, -2, -3, -4, -5], 0, 0);
    expectClose(ops.div(6, a).toArray(), [6, 3, 2, 1.5, 1.2, 1], 1e-15, 1e-15);
  });

  it('unary maps', () => {
    const x = f64([-2, -0.5, 0, 0.5, 2], [5]);
    expectClose(ops.relu(x).toArray(), [0, 0, 0, 0.5, 2], 0, 0);
    expectClose(ops.abs(x).toArray(), [2, 0.5, 0, 0.5, 2], 0, 0);
    expectClose(ops.sigmoid(x).toArray(), [-2, -0.5, 0, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))), 1e-15, 1e-14);
    expectClose(ops.softplus(x).toArray(), [-2, -0.5, 0, 0.5, 2].map((v) => Math.log(1 + Math.exp(v))), 1e-15, 1e-14);
    // softplus is stable far from zero: no overflow at 1000, no underflow to 0 at -50.
    expectClose(ops.softplus(f64([1000, -50], [2])).toArray(), [1000, Math.exp(-50)], 0, 1e-12);
    expectClose(ops.tanh(x).toArray(), [-2, -0.5, 0, 0.5, 2].map(Math.tanh), 1e-15, 1e-14);
  });

  it('sum and mean along axes', () => {
    const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(ops.sum(x).item()).toBe(21);
    expectClose(ops.sum(x, 0).toArray(), [5, 7, 9], 0, 0);
    expect(ops.sum(x, -1, true).shape).toEqual([2, 1]);
    expectClose(ops.sum(x, -1, true).toArray(), [6, 15], 0, 0);
    expectClose(ops.mean(x, 1).toArray(), [2, 5], 0, 1e-15);
  });

  it('reshape with -1, concat, slice, broadcastTo', () => {
    const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(ops.reshape(x, [-1, 2]).shape).toEqual([3, 2]);
    const c = ops.concat([x, f64([7, 8], [2, 1])], 1);
    expect(c.shape).toEqual([2, 4]);
    expectClose(c.toArray(), [1, 2, 3, 7, 4, 5, 6, 8], 0, 0);
    expectClose(ops.slice(x, 1, 1, 3).toArray(), [2, 3, 5, 6], 0, 0);
    expectClose(ops.broadcastTo(f64([1, 2], [2, 1]), [2, 3]).toArray(), [1, 1, 1, 2, 2, 2], 0, 0);
  });

  it('softmax and logSoftmax of [1, 2, 3] by hand; stable for large logits', () => {
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    const expected = [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z];
    expectClose(ops.softmax(f64([1, 2, 3], [1, 3])).toArray(), expected, 1e-15, 1e-14);
    expectClose(ops.logSoftmax(f64([1, 2, 3], [1, 3])).toArray(), expected.map(Math.log), 1e-15, 1e-14);
    expectClose(ops.softmax(f64([1001, 1002, 1003], [1, 3])).toArray(), expected, 1e-15, 1e-14);
  });

  it('2x2 convolution of a 3x3 image by hand, with padding and stride', () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]]: out[i,j] = x[i,j] - x[i+1,j+1] = -4 everywhere.
    const x = f64([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = f64([1, 0, 0, -1], [1, 1, 2, 2]);
    expectClose(ops.conv2d(x, w).toArray(), [-4, -4, -4, -4], 0, 0);
    // padding 1, stride 2: windows start at (-1,-1), (-1,1), (1,-1), (1,1):
    // 0 - x00 = -1, 0 - x02 = -3, 0 - x20 = -7, x11 - x22 = 5 - 9 = -4.
    const padded = (i: number, j: number) => (i >= 0 && i < 3 && j >= 0 && j < 3 ? i * 3 + j + 1 : 0);
    const expected = [];
    for (const oi of [0, 1]) for (const oj of [0, 1]) {
      const i = oi * 2 - 1;
      const j = oj * 2 - 1;
      expected.push(padded(i, j) - padded(i + 1, j + 1));
    }
    expect(expected).toEqual([-1, -3, -7, -4]);
    expectClose(ops.conv2d(x, w, null, { stride: 2, padding: 1 }).toArray(), expected, 0, 0);
    // bias adds per output channel
    expectClose(ops.conv2d(x, w, f64([10], [1])).toArray(), [6, 6, 6, 6], 0, 0);
  });

  it('maxPool2d 2x2 by hand; first maximum wins on ties', () => {
    const x = f64([1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 1, 2, 9, 1, 3], [1, 1, 4, 4]);
    expectClose(ops.maxPool2d(x, { kernel: 2 }).toArray(), [5, 8, 9, 3], 0, 0);
    const tie = f64([7, 7, 7, 7], [1, 1, 2, 2]);
    const g = f64([1], [1, 1, 1, 1]);
    expectClose(ops.maxPool2dScatter(tie, g, { kernel: 2 }).toArray(), [1, 0, 0, 0], 0, 0);
  });

  it('squaredEuclidean, cosineSimilarity and prototypes by hand', () => {
    const a = f64([0, 0, 1, 1], [2, 2]);
    const b = f64([3, 4, 1, 0, 0, 2], [3, 2]);
    expectClose(ops.squaredEuclidean(a, b).toArray(), [25, 1, 4, 13, 1, 2], 0, 0);
    const cos = ops.cosineSimilarity(f64([1, 0, 1, 1], [2, 2]), f64([0, 2, 3, 0], [2, 2]));
    expectClose(cos.toArray(), [0, 1, Math.SQRT1_2, Math.SQRT1_2], 1e-12, 1e-12);
    const emb = f64([1, 2, 3, 4, 5, 6], [3, 2]);
    expectClose(ops.prototypes(emb, new Int32Array([1, 0, 1]), 2).toArray(), [3, 4, 3, 4], 0, 1e-15);
    expectClose(ops.prototypes(emb, new Int32Array([0, 0, 1]), 2).toArray(), [2, 3, 5, 6], 0, 1e-15);
    expectClose(ops.prototypes(emb, f64([0, 0, 1], [3]), 2).toArray(), [2, 3, 5, 6], 0, 1e-15);
  });

  it('losses by hand: crossEntropy, mse, bceWithLogits', () => {
    const logits = f64([0, 0, Math.log(2), 0], [2, 2]);
    // row 0 uniform -> -log(1/2); row 1: p(label 0) = 2/3
    const expected = (Math.log(2) - Math.log(2 / 3)) / 2;
    expect(ops.crossEntropy(logits, new Int32Array([1, 0])).item()).toBeCloseTo(expected, 14);
    expect(ops.crossEntropy(logits, f64([1, 0], [2])).item()).toBeCloseTo(expected, 14);
    expect(ops.mse(f64([1, 2, 3], [3]), f64([1, 0, 6], [3])).item()).toBeCloseTo((0 + 4 + 9) / 3, 14);
    const bce = (z: number, t: number) => -(t * Math.log(1 / (1 + Math.exp(-z))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-z))));
    expect(ops.bceWithLogits(f64([0.5, -1], [2]), f64([1, 0.25], [2])).item()).toBeCloseTo((bce(0.5, 1) + bce(-1, 0.25)) / 2, 14);
  });

  it('batchNorm normalises each channel over N,H,W and applies gamma, beta', () => {
    // channel 0 values 1..4 (mean 2.5, var 1.25), channel 1 all 7 (var 0)
    const x = f64([1, 2, 7, 7, 3, 4, 7, 7], [2, 2, 1, 2]);
    const y = ops.batchNorm(x, f64([2, 1], [2]), f64([0, 5], [2]), { eps: 0 + 1e-12 });
    const s = Math.sqrt(1.25 + 1e-12);
    expectClose(y.toArray(), [2 * (1 - 2.5) / s, 2 * (2 - 2.5) / s, 5, 5, 2 * (3 - 2.5) / s, 2 * (4 - 2.5) / s, 5, 5], 1e-9, 1e-9);
  });

  it('oneHot and accuracy', () => {
    expectClose(ops.oneHot(f64([2, 0], [2]), 3).toArray(), [0, 0, 1, 1, 0, 0], 0, 0);
    expectClose(ops.oneHot(new Int32Array([1]), 2).toArray(), [0, 1], 0, 0);
    const logits = f64([0.1, 0.9, 0.8, 0.2, 0.5, 0.5], [3, 2]);
    expect(ops.accuracy(logits, new Int32Array([1, 0, 1]))).toBeCloseTo(2 / 3, 15);
  });

  it('float32 stays float32', () => {
    const y = ops.exp(tensor([0, 1], [2]));
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toBeInstanceOf(Float32Array);
  });
});
