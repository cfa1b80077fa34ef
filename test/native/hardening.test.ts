/**
 * Issue 12, the native boundary: a getter that disposes a program or tensor while the native
 * side reads a request ends in DisposedError or a correct result (never a crash), an in-flight
 * call owns what it uses, concurrent calls on one program agree, size overflow is a ShapeError,
 * and zero-sized dims are defined (and prompt) on both backends.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { ops, tensor, grad, jvp, hvp, type Tensor } from '../../lib/index.js';
import type { Backend, CompiledProgram, Handle, MetaGradientRequest } from '../../lib/backend/types.js';
import { DisposedError, ShapeError, ValueError } from '../../lib/errors.js';
import { describeEachBackend } from '../helpers/backends.js';
import { native, nativeSkipReason } from './nativeHelpers.js';
import { QUERY, spec, SUPPORT, W } from './quadraticProgram.js';

const skip = native === null;
const title = (what: string) => `${what}${skip ? ` (${nativeSkipReason})` : ''}`;

const f64 = 'float64' as const;

function request(b: Backend, lr: number): MetaGradientRequest {
  const h = (values: number[], shape: number[]) => b.fromArray(Float64Array.from(values), shape);
  return {
    numParams: 1,
    params: [h(W, [2, 1])],
    tasks: [{ support: [h(SUPPORT, [3, 2])], query: [h(QUERY, [3, 2])] }],
    steps: 1,
    innerLR: [[h([lr], [])]],
    order: 2,
  };
}

/** The meta-gradient of one task and one step, by hand: L(w) = |X w|^2 / 3, dL/dw = (2/3) X^T X w. */
function expectedMetaGrad(lr: number): number[] {
  const gram = (x: number[]) => [
    [x[0] * x[0] + x[2] * x[2] + x[4] * x[4], x[0] * x[1] + x[2] * x[3] + x[4] * x[5]],
    [x[0] * x[1] + x[2] * x[3] + x[4] * x[5], x[1] * x[1] + x[3] * x[3] + x[5] * x[5]],
  ];
  const mv = (m: number[][], v: number[]) => [m[0][0] * v[0] + m[0][1] * v[1], m[1][0] * v[0] + m[1][1] * v[1]];
  const S = gram(SUPPORT).map((r) => r.map((v) => (2 / 3) * v)); // support Hessian
  const Q = gram(QUERY).map((r) => r.map((v) => (2 / 3) * v)); // query Hessian
  const adapted = W.map((w, i) => w - lr * mv(S, W)[i]); // w' = w - lr S w
  const gq = mv(Q, adapted); // dLq/dw' at w'
  // d w'/d w = I - lr S (symmetric): meta-gradient = (I - lr S) gq.
  return gq.map((g, i) => g - lr * mv(S, gq)[i]);
}

function closeTo(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 10));
}

describe('native boundary: handle lifetime', () => {
  it.skipIf(skip)(title('getters that dispose programs or tensors mid-call never crash the process'), () => {
    const script = fileURLToPath(new URL('./fixtures/disposeDuringCall.mjs', import.meta.url));
    const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const { outcomes } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { outcomes: string[] };
    expect(outcomes).toEqual([
      // The program is captured after the request is read: disposed meanwhile -> DisposedError.
      'metaGradient/disposeProgram: ERR_DISPOSED',
      'metaGradient/disposeQueryProgram: ERR_DISPOSED',
      // Tensors already read are owned by the call: it completes.
      'metaGradient/disposeTensors: ok',
      'metaGradient/disposeWhileRunning: ok',
      'adaptBatch/disposeProgram: ERR_DISPOSED',
      'adaptBatch/disposeQueryProgram: ERR_DISPOSED',
      'adaptBatch/disposeTensors: ok',
      'adaptBatch/disposeWhileRunning: ok',
      'run: ERR_DISPOSED',
      'vjp: ERR_DISPOSED',
      'jvp: ERR_DISPOSED',
      'hvp: ERR_DISPOSED',
    ]);
  });

  it.skipIf(skip)(title('a getter on a metaGradient params array that disposes the program -> DisposedError'), async () => {
    const b = native!;
    const program = b.compile(spec);
    const r = request(b, 0.01);
    const w = r.params[0];
    const params: Handle[] = [];
    Object.defineProperty(params, 0, {
      enumerable: true,
      get() {
        program.dispose();
        return w;
      },
    });
    await expect(program.metaGradient!({ ...r, params })).rejects.toThrow(DisposedError);
  });

  it.skipIf(skip)(title('a getter on run/vjp/jvp/hvp inputs that disposes the program -> DisposedError'), () => {
    const b = native!;
    const calls: ((p: CompiledProgram, inputs: Handle[]) => unknown)[] = [
      (p, inputs) => p.run(inputs),
      (p, inputs) => p.vjp(inputs, [null], [0]),
      (p, inputs) => p.jvp(inputs, [null, null]),
      (p, inputs) => p.hvp(inputs, [null, null], [null], [0]),
    ];
    for (const call of calls) {
      const program = b.compile(spec);
      const inputs: Handle[] = [b.fromArray(Float64Array.from(W), [2, 1])];
      const x = b.fromArray(Float64Array.from(SUPPORT), [3, 2]);
      Object.defineProperty(inputs, 1, {
        enumerable: true,
        get() {
          program.dispose();
          return x;
        },
      });
      expect(() => call(program, inputs)).toThrow(DisposedError);
    }
  });

  it.skipIf(skip)(title('dispose() during an in-flight metaGradient: the promise resolves with the right numbers'), async () => {
    const b = native!;
    const program = b.compile(spec);
    const r = request(b, 0.01);
    const pending = program.metaGradient!(r);
    program.dispose();
    for (const h of [...r.params, ...r.tasks[0].support, ...r.tasks[0].query, ...r.innerLR[0]]) b.dispose(h);
    const result = await pending;
    closeTo(b.toArray(result.grads[0]), expectedMetaGrad(0.01));
  });

  it.skipIf(skip)(title('objects that only inherit a native prototype are ValueErrors, not uncoded errors'), () => {
    const b = native!;
    const t = b.fromArray(Float64Array.from(W), [2, 1]);
    const fakeTensor = Object.create(Object.getPrototypeOf(t)) as Handle;
    expect(() => b.toArray(fakeTensor)).toThrow(ValueError);
    expect(() => b.exec('exp', [fakeTensor], {})).toThrow(ValueError);
    expect(() => b.dispose(fakeTensor)).toThrow(ValueError);
    const program = b.compile(spec);
    expect(() => program.run([t, fakeTensor])).toThrow(ValueError);
  });

  it.skipIf(skip)(title('concurrent metaGradient calls on one program give identical results'), async () => {
    const b = native!;
    const program = b.compile(spec);
    const results = await Promise.all(Array.from({ length: 8 }, () => program.metaGradient!(request(b, 0.02))));
    const expected = expectedMetaGrad(0.02);
    for (const r of results) closeTo(b.toArray(r.grads[0]), expected);
    const first = Array.from(b.toArray(results[0].grads[0]));
    for (const r of results) expect(Array.from(b.toArray(r.grads[0]))).toEqual(first);
    program.dispose();
  });
});

describeEachBackend('sizes: overflow and zero-sized dims', () => {
  const zeros64 = (shape: number[]) => tensor(new Float64Array(shape.reduce((a, d) => a * d, 1)), shape, f64);
  const shapeOf = (t: Tensor) => t.shape;

  it("conv2d's im2col overflow (the issue's segfault) is a ShapeError", () => {
    const x = tensor(new Float32Array(1), [1, 1, 1, 1]);
    const w = tensor(new Float32Array(0), [0, 1, 65536, 65536]);
    expect(() => ops.conv2d(x, w, null, { padding: 65535 })).toThrow(ShapeError);
    expect(() => ops.conv2d(x, w, null, { padding: 65535 })).toThrow(/conv2d.*\[0,1,65536,65536\]/);
  });

  it('matmul with a dimension above the GEMM limit is a ShapeError, even when empty', () => {
    expect(() => ops.matmul(zeros64([2 ** 31, 0]), zeros64([0, 1]))).toThrow(ShapeError);
    expect(() => ops.squaredEuclidean(zeros64([2 ** 31, 0]), zeros64([1, 0]))).toThrow(ShapeError);
  });

  it('a result above 4e9 elements is a ValueError naming the shape, on both backends alike', () => {
    expect(() => ops.broadcastTo(tensor([1], [1], f64), [2 ** 33])).toThrow(ValueError);
    expect(() => ops.broadcastTo(tensor([1], [1], f64), [2 ** 33])).toThrow(/\[8589934592\] is too large/);
  });

  it('conv2d and its adjoints on empty tensors return promptly: empty, or zeros', () => {
    // 2^40 images of nothing: looped forever before.
    const many = zeros64([2 ** 40, 1, 0, 4]);
    expect(shapeOf(ops.conv2d(many, zeros64([0, 1, 1, 1]), null, { padding: [1, 0] }))).toEqual([2 ** 40, 0, 2, 4]);
    const noChannels = ops.conv2d(zeros64([2, 0, 3, 3]), zeros64([4, 0, 2, 2]));
    expect(shapeOf(noChannels)).toEqual([2, 4, 2, 2]);
    expect(Array.from(noChannels.toArray())).toEqual(new Array(32).fill(0));
    const padded = ops.conv2d(zeros64([1, 1, 0, 2]), tensor([1, 1], [1, 1, 1, 2], f64), null, { padding: [1, 0] });
    expect(shapeOf(padded)).toEqual([1, 1, 2, 1]);
    expect(Array.from(padded.toArray())).toEqual([0, 0]);
    const dx = ops.conv2dBackwardInput(zeros64([1, 1, 2, 1]), tensor([1, 1], [1, 1, 1, 2], f64), [1, 1, 0, 2], { padding: [1, 0] });
    expect(shapeOf(dx)).toEqual([1, 1, 0, 2]);
    const dw = ops.conv2dBackwardWeight(zeros64([0, 1, 3, 3]), zeros64([0, 2, 2, 2]), [2, 1, 2, 2]);
    expect(Array.from(dw.toArray())).toEqual(new Array(8).fill(0));
    expect(() => ops.conv2d(zeros64([1, 1, 3, 3]), zeros64([1, 1, 0, 2]))).toThrow(ShapeError);
  });

  it('pooling, matmul, reductions, layout ops and oneHot on zero-sized dims', () => {
    expect(shapeOf(ops.maxPool2d(zeros64([0, 3, 4, 4]), { kernel: 2 }))).toEqual([0, 3, 2, 2]);
    expect(() => ops.maxPool2d(zeros64([1, 1, 0, 4]), { kernel: 2 })).toThrow(ShapeError);
    expect(shapeOf(ops.matmul(zeros64([0, 3]), zeros64([3, 2])))).toEqual([0, 2]);
    expect(Array.from(ops.matmul(zeros64([2, 0]), zeros64([0, 3])).toArray())).toEqual(new Array(6).fill(0));
    expect(Array.from(ops.sum(zeros64([0, 3]), 0).toArray())).toEqual([0, 0, 0]);
    expect(shapeOf(ops.concat([zeros64([2 ** 40, 0]), zeros64([2 ** 40, 0])], 1))).toEqual([2 ** 40, 0]);
    expect(shapeOf(ops.slice(zeros64([2 ** 40, 3, 0]), 1, 1, 2))).toEqual([2 ** 40, 1, 0]);
    expect(shapeOf(ops.softmax(zeros64([3, 0])))).toEqual([3, 0]);
    expect(Array.from(ops.squaredEuclidean(zeros64([2, 0]), zeros64([4, 0])).toArray())).toEqual(new Array(8).fill(0));
    expect(shapeOf(ops.oneHot(zeros64([0]), 5))).toEqual([0, 5]);
  });

  it('grad, jvp and hvp through an empty batch: a zero loss, zero derivatives of the parameter shapes', () => {
    const w = tensor([1, 2, 3, 4, 5, 6], [3, 2], f64);
    const x = zeros64([0, 3]);
    const loss = (p: Record<string, Tensor>) => ops.sum(ops.square(ops.matmul(x, p.w)));
    const g = grad(loss)({ w }).w;
    expect(shapeOf(g)).toEqual([3, 2]);
    expect(Array.from(g.toArray())).toEqual(new Array(6).fill(0));
    const [value, tangent] = jvp(loss, { w }, { w });
    expect(Array.from(value.toArray())).toEqual([0]);
    expect(Array.from(tangent.toArray())).toEqual([0]);
    const hv = hvp(loss, { w }, { w }).w;
    expect(shapeOf(hv)).toEqual([3, 2]);
    expect(Array.from(hv.toArray())).toEqual(new Array(6).fill(0));
    // A conv net layer on zero images.
    const convLoss = (p: Record<string, Tensor>) => ops.sum(ops.conv2d(zeros64([0, 1, 4, 4]), p.k, null, { padding: 1 }));
    const k = tensor(new Float64Array(18).fill(0.5), [2, 1, 3, 3], f64);
    expect(Array.from(grad(convLoss)({ k }).k.toArray())).toEqual(new Array(18).fill(0));
  });
});
