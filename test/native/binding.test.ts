/**
 * The native backend through the Backend interface: it loads, round-trips data, throws typed
 * errors naming the op and shapes on bad input (never crashing the process), and frees tensors
 * on dispose() and on garbage collection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

import { DisposedError, DTypeError, ShapeError, ValueError } from '../../lib/errors.js';
import { handle, native, nativeSkipReason, values } from './nativeHelpers.js';

const skip = native === null;

describe('native backend', () => {
  it.skipIf(skip)(`loads and round-trips float32 and float64 data (${skip ? nativeSkipReason : 'native'})`, () => {
    const b = native!;
    expect(b.name).toBe('native');
    const x = b.fromArray(new Float32Array([1.5, -2, 3, 4]), [2, 2]);
    expect(b.shapeOf(x)).toEqual([2, 2]);
    expect(b.dtypeOf(x)).toBe('float32');
    const out = b.toArray(x);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([1.5, -2, 3, 4]);
    out[0] = 100; // a copy: the tensor is unchanged
    expect(b.toArray(x)[0]).toBe(1.5);
    const y = b.fromArray(new Float64Array([0.1]), []);
    expect(b.dtypeOf(y)).toBe('float64');
    expect(b.shapeOf(y)).toEqual([]);
    expect(Array.from(b.toArray(y))).toEqual([0.1]);
    // A view into a larger buffer copies only its own elements.
    const big = new Float64Array([9, 8, 7, 6]);
    expect(values(b, b.fromArray(big.subarray(1, 3), [2]))).toEqual([8, 7]);
  });

  it.skipIf(skip)('computes matmul [[1,2],[3,4]]^2 = [[7,10],[15,22]]', () => {
    const b = native!;
    const x = handle(b, [1, 2, 3, 4], [2, 2], 'float32');
    expect(values(b, b.exec('matmul', [x, x], { transA: false, transB: false }))).toEqual([7, 10, 15, 22]);
  });

  it.skipIf(skip)('throws typed errors naming the op and the shapes', () => {
    const b = native!;
    const a = handle(b, [1, 2, 3, 4, 5, 6], [2, 3]);
    const c = handle(b, [1, 2], [1, 2]);
    expect(() => b.exec('matmul', [a, c], { transA: false, transB: false })).toThrow(ShapeError);
    expect(() => b.exec('matmul', [a, c], { transA: false, transB: false })).toThrow(/matmul.*\[2,3\].*\[1,2\]/);
    expect(() => b.exec('add', [a, handle(b, [1, 2], [2])], {})).toThrow(/add: shapes \[2,3\] and \[2\]/);
    expect(() => b.exec('add', [a, handle(b, [1, 2, 3], [3], 'float32')], {})).toThrow(DTypeError);
    expect(() => b.exec('oneHot', [handle(b, [0, 3], [2])], { numClasses: 3 })).toThrow(ValueError);
    expect(() => b.exec('oneHot', [handle(b, [0, 3], [2])], { numClasses: 3 })).toThrow(/oneHot: label 3/);
    expect(() => b.exec('oneHot', [handle(b, [NaN], [1])], { numClasses: 3 })).toThrow(ValueError);
    expect(() => b.fromArray(new Float64Array(5), [2, 3])).toThrow(ShapeError);
    expect(() => b.fromArray(new Int32Array(6) as unknown as Float64Array, [2, 3])).toThrow(DTypeError);
  });

  it.skipIf(skip)('rejects malformed calls without crashing', () => {
    const b = native!;
    const a = handle(b, [1, 2, 3], [3]);
    const bad = (f: () => unknown) => expect(f).toThrow(/./);
    bad(() => b.exec('noSuchOp' as 'neg', [a], {}));
    bad(() => b.exec('neg', [{} as typeof a], {}));
    bad(() => b.exec('neg', [], {}));
    bad(() => b.exec('neg', null as unknown as [], {}));
    bad(() => b.exec('sum', [a], {} as { axes: number[]; keepDims: boolean }));
    bad(() => b.exec('sum', [a], { axes: [5], keepDims: false }));
    bad(() => b.exec('reshape', [a], { shape: [-3] }));
    bad(() => b.exec('reshape', [a], { shape: [1.5, 2] }));
    bad(() => b.exec('mulScalar', [a], { value: NaN }));
    bad(() => b.exec('slice', [a], { axis: 0, start: 2, end: 9 }));
    bad(() => b.exec('conv2d', [a, a], { stride: [1, 1], padding: [0, 0] }));
    bad(() => b.exec('conv2d', [handle(b, [1], [1, 1, 1, 1]), handle(b, [1], [1, 1, 1, 1])], { stride: [0, 1], padding: [0, 0] }));
    bad(() => b.exec('maxPool2d', [handle(b, [1], [1, 1, 1, 1])], { kernel: [2, 2], stride: [1, 1] }));
    bad(() => b.fromArray(new Float64Array(0), [1e12, 1e12]));
    bad(() => b.compile({ inputs: [{ shape: [1], dtype: 'float64' }], nodes: [{ op: 'neg', inputs: [7], attrs: {}, shape: [1], dtype: 'float64' }], outputs: [1] }));
    bad(() => b.compile(null as unknown as Parameters<typeof b.compile>[0]));
    // The process is still fine.
    expect(values(b, b.exec('neg', [a], {}))).toEqual([-1, -2, -3]);
  });

  it.skipIf(skip)('handles NaN and empty tensors', () => {
    const b = native!;
    const n = handle(b, [NaN, 1], [1, 2]);
    expect(Number.isNaN(values(b, b.exec('softmax', [n], {}))[0])).toBe(true);
    expect(Number.isNaN(values(b, b.exec('squaredEuclidean', [n, n], {}))[0])).toBe(true);
    const empty = b.fromArray(new Float32Array(0), [0, 3]);
    expect(b.shapeOf(b.exec('exp', [empty], {}))).toEqual([0, 3]);
    expect(values(b, b.exec('sum', [empty], { axes: [0], keepDims: false }))).toEqual([0, 0, 0]);
    expect(b.shapeOf(b.exec('matmul', [empty, b.fromArray(new Float32Array(6), [3, 2])], { transA: false, transB: false }))).toEqual([0, 2]);
  });

  it.skipIf(skip)('throws DisposedError after dispose; dispose is idempotent', () => {
    const b = native!;
    const x = handle(b, [1, 2], [2]);
    b.dispose(x);
    b.dispose(x);
    expect(() => b.toArray(x)).toThrow(DisposedError);
    expect(() => b.exec('neg', [x], {})).toThrow(DisposedError);
    const p = b.compile({ inputs: [{ shape: [2], dtype: 'float64' }], nodes: [], outputs: [0] });
    p.dispose();
    expect(() => p.run([handle(b, [1, 2], [2])])).toThrow(DisposedError);
  });

  it.skipIf(skip)('liveTensors does not grow over repeated calls (dispose and GC)', async () => {
    const b = native!;
    const x = handle(b, [1, 2, 3, 4], [2, 2]);
    const spec = {
      inputs: [{ shape: [2, 2], dtype: 'float64' as const }],
      nodes: [
        { op: 'matmul' as const, inputs: [0, 0], attrs: { transA: false, transB: false }, shape: [2, 2], dtype: 'float64' as const },
        { op: 'sum' as const, inputs: [1], attrs: { axes: [0, 1], keepDims: false }, shape: [], dtype: 'float64' as const },
      ],
      outputs: [2],
    };
    const p = b.compile(spec);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await collect(); // garbage of earlier tests
    const before = b.liveTensors();
    for (let i = 0; i < 200; i++) {
      const y = b.exec('tanh', [x], {});
      b.dispose(y);
      const r = p.hvp([x], [x], [handle(b, [1], [])], [0]);
      for (const h of [...r.outputs, ...r.grads, ...r.gradTangents]) b.dispose(h);
    }
    await collect(); // the 200 cotangent handles above were never disposed: the GC finalizers free them
    expect(b.liveTensors()).toBe(before);
  });
});
