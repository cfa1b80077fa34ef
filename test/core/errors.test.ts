/** Bad input gives typed errors naming the op and the shapes or values. */
import { it, expect, describe } from 'vitest';
import {
  tensor, grad, record, setBackend, ops, nn,
  ShapeError, ValueError, DTypeError, DisposedError, BackendError,
} from '../../lib/index.js';
import { nativeAvailable } from '../../lib/backend/index.js';
import { createJsBackend } from '../../lib/backend/js/index.js';
import { Tensor } from '../../lib/core/tensor.js';
import { describeEachBackend } from '../helpers/backends.js';

describeEachBackend('errors', () => {
  it('ShapeError for a matmul mismatch names the op and both shapes', () => {
    const a = tensor(new Float32Array(6), [2, 3]);
    const b = tensor(new Float32Array(8), [4, 2]);
    expect(() => ops.matmul(a, b)).toThrow(ShapeError);
    expect(() => ops.matmul(a, b)).toThrow(/matmul.*\[2,3\].*\[4,2\]/);
  });

  it('ShapeError for shapes that do not broadcast, bad reshape, bad conv', () => {
    expect(() => ops.add(tensor(new Float32Array(6), [2, 3]), tensor(new Float32Array(2), [2]))).toThrow(/add: shapes \[2,3\] and \[2\] do not broadcast/);
    expect(() => ops.reshape(tensor(new Float32Array(6), [2, 3]), [4, -1])).toThrow(ShapeError);
    const x = tensor(new Float32Array(2 * 3 * 3), [1, 2, 3, 3]);
    const w = tensor(new Float32Array(2 * 3 * 2 * 2), [2, 3, 2, 2]);
    expect(() => ops.conv2d(x, w)).toThrow(/conv2d: input channels differ/);
    expect(() => ops.mse(tensor([1, 2], [2, 1]), tensor([1, 2], [2]))).toThrow(ShapeError);
  });

  it('ShapeError for an LSTM cell whose weights do not fit its input or state', () => {
    const z = (...shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    const weights = { weightIh: z(8, 3), weightHh: z(8, 2), bias: z(8) };
    expect(ops.lstmCell(z(4, 3), z(4, 2), z(4, 2), weights).h.shape).toEqual([4, 2]);
    expect(() => ops.lstmCell(z(4, 5), z(4, 2), z(4, 2), weights)).toThrow(/lstmCell: weightIh \[8, 3\] does not fit input \[4, 5\] and hidden size 2 \(need \[8, 5\]\)/);
    expect(() => ops.lstmCell(z(4, 3), z(4, 2), z(3, 2), weights)).toThrow(ShapeError);
    expect(() => ops.lstmCell(z(4, 3), z(4, 2), z(4, 2), { ...weights, weightHh: z(8, 3) })).toThrow(/weightHh \[8, 3\] must be \[8, 2\]/);
    expect(() => ops.lstmCell(z(4, 3), z(4, 2), z(4, 2), { ...weights, bias: z(4) })).toThrow(/bias \[4\] must be \[8\]/);
  });

  it('DTypeError for mixed dtypes', () => {
    expect(() => ops.add(tensor([1], [1], 'float32'), tensor([1], [1], 'float64'))).toThrow(DTypeError);
  });

  it('ValueError for labels out of range or not integers, naming op, label and range', () => {
    const logits = tensor(new Float32Array(6), [2, 3]);
    expect(() => ops.crossEntropy(logits, new Int32Array([0, 3]))).toThrow(ValueError);
    expect(() => ops.crossEntropy(logits, new Int32Array([0, 3]))).toThrow(/crossEntropy: label 3 at index 1 is out of range \[0, 3\)/);
    expect(() => ops.crossEntropy(logits, tensor([0, 1.5], [2]))).toThrow(ValueError);
    expect(() => ops.oneHot(tensor([0, -1], [2]), 2)).toThrow(ValueError);
    expect(() => ops.crossEntropy(logits, new Int32Array([0]))).toThrow(ShapeError);
  });

  it('ValueError for a recorded program replayed with out-of-range tensor labels', () => {
    const net = nn.mlp([2, 3]);
    const p = net.init(0);
    const x = tensor(new Float32Array(4), [2, 2]);
    const program = record((q, a, y) => ops.crossEntropy(net.apply(q, a), y), p, x, tensor([0, 1], [2]));
    expect(() => program.valueAndGrad(p, x, tensor([0, 7], [2]))).toThrow(ValueError);
  });

  it('prototypes: ValueError for a class with no example and a label out of range', () => {
    const emb = tensor(new Float32Array(6), [3, 2]);
    expect(() => ops.prototypes(emb, new Int32Array([0, 0, 2]), 3)).toThrow(/class 1 has no example/);
    expect(() => ops.prototypes(emb, new Int32Array([0, 1, 5]), 3)).toThrow(ValueError);
  });

  it('DisposedError after dispose; dispose is idempotent', () => {
    const t = tensor([1, 2], [2]);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.toArray()).toThrow(DisposedError);
    expect(() => ops.exp(t)).toThrow(DisposedError);
  });

  it('toArray / item on a symbolic tensor inside grad throw a clear error', () => {
    const p = { w: tensor([1, 2], [2]) };
    expect(() => grad((q) => (q.w.toArray(), ops.sum(q.w)))(p)).toThrow(/symbolic tensor.*inside grad/);
    expect(() => grad((q) => ops.mulScalar(ops.sum(q.w), ops.sum(q.w).item()))(p)).toThrow(ValueError);
  });

  it('grad of a non-scalar function is a ShapeError', () => {
    const p = { w: tensor([1, 2], [2]) };
    expect(() => grad((q) => ops.square(q.w))(p)).toThrow(ShapeError);
  });

  it('replaying a recorded program with wrong shapes or keys fails clearly', () => {
    const p = { w: tensor([1, 2], [2]) };
    const x = tensor([1, 2], [2]);
    const program = record((q, a) => ops.sum(ops.mul(q.w, a)), p, x);
    expect(() => program.run(p, tensor([1, 2, 3], [3]))).toThrow(/input 0 must be \[2\]/);
    expect(() => program.run({ v: tensor([1, 2], [2]) }, x)).toThrow(ValueError);
    expect(() => program.run({ w: tensor([1], [1]) }, x)).toThrow(ShapeError);
  });

  it('a symbolic tensor leaked out of a transform cannot be used', () => {
    let leaked: Tensor | null = null;
    grad((q) => {
      leaked = q.w;
      return ops.sum(q.w);
    })({ w: tensor([1], [1]) });
    expect(() => ops.exp(leaked!)).toThrow(/after its transform/);
  });

  it('tensor(): data that does not fill the shape, bad dtype', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => tensor([1], [1], 'int8' as never)).toThrow(ValueError);
  });
});

describe('backend selection errors', () => {
  it.skipIf(nativeAvailable().ok)('setBackend("native") throws BackendError when no native binary loads (skipped when a native binary loads)', () => {
    expect(() => setBackend('native')).toThrow(BackendError);
  });

  it('mixing tensors of two backends is a BackendError', () => {
    setBackend('js');
    const other = createJsBackend();
    const foreign = Tensor.fromHandle(other, other.fromArray(Float32Array.of(1), [1]));
    expect(() => ops.add(tensor([1], [1]), foreign)).toThrow(BackendError);
  });

  it('an unknown backend name is a BackendError', () => {
    expect(() => setBackend('gpu' as never)).toThrow(BackendError);
  });
});

describeEachBackend('numeric edge cases', () => {
  it('non-finite scalar attributes, division by the number 0 and the mean of nothing are ValueErrors', () => {
    const x = tensor([1, 2], [2]);
    expect(() => ops.addScalar(x, Infinity)).toThrow(ValueError);
    expect(() => ops.mul(x, NaN)).toThrow(ValueError);
    expect(() => ops.div(x, 0)).toThrow(/division by the number 0/);
    expect(() => ops.mean(tensor([], [0, 3]))).toThrow(/mean: no elements/);
  });

  it('empty tensors and NaN flow through without crashing', () => {
    const empty = tensor([], [0, 3]);
    expect(ops.sum(empty).item()).toBe(0);
    expect(Array.from(ops.sum(empty, 0).toArray())).toEqual([0, 0, 0]);
    expect(ops.softmax(empty).shape).toEqual([0, 3]);
    expect(Number.isNaN(ops.exp(tensor([NaN], [1])).item())).toBe(true);
    expect(Number.isNaN(ops.maxPool2d(tensor([NaN, 1, 2, 3], [1, 1, 2, 2]), { kernel: 2 }).item())).toBe(true);
  });
});
