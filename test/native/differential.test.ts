/**
 * Native core vs the pure-TypeScript core on random inputs: every primitive's forward (float64
 * and float32), and a recorded program's vjp / jvp / hvp.
 * Tolerances: float64 1e-10, float32 2e-5 (relative, |a - b| / (1 + |b|)).
 */
import { describe, expect, it } from 'vitest';

import type { PrimitiveAttrs, PrimitiveName } from '../../lib/backend/primitives.js';
import { PRIMITIVES } from '../../lib/backend/primitives.js';
import type { Backend, DType, ProgramSpec } from '../../lib/backend/types.js';
import { maxRelativeDiff, native, nativeSkipReason, randomArray, rng } from './nativeHelpers.js';

let js: Backend | null = null;
let jsReason = '';
try {
  js = (await import('../../lib/backend/js/index.js')).createJsBackend();
} catch (err) {
  jsReason = err instanceof Error ? err.message : String(err);
}
const skip = native === null || js === null;
const reason = native === null ? nativeSkipReason : `skipped: JS backend not available (${jsReason})`;

interface Case {
  op: PrimitiveName;
  shapes: number[][];
  attrs: Record<string, unknown>;
  lo?: number;
  hi?: number;
  /** Integer inputs (class labels) in [0, classes). */
  labels?: number;
}

const CASES: Case[] = [
  { op: 'matmul', shapes: [[5, 7], [7, 3]], attrs: { transA: false, transB: false } },
  { op: 'matmul', shapes: [[7, 5], [3, 7]], attrs: { transA: true, transB: true } },
  { op: 'add', shapes: [[2, 3, 4], [3, 1]], attrs: {} },
  { op: 'sub', shapes: [[4], [2, 3, 4]], attrs: {} },
  { op: 'mul', shapes: [[2, 1, 4], [3, 1]], attrs: {} },
  { op: 'div', shapes: [[2, 3], [3]], attrs: {}, lo: 0.5, hi: 2 },
  { op: 'neg', shapes: [[3, 4]], attrs: {} },
  { op: 'exp', shapes: [[3, 4]], attrs: {} },
  { op: 'log', shapes: [[3, 4]], attrs: {}, lo: 0.1, hi: 3 },
  { op: 'sqrt', shapes: [[3, 4]], attrs: {}, lo: 0.1, hi: 3 },
  { op: 'square', shapes: [[3, 4]], attrs: {} },
  { op: 'relu', shapes: [[3, 4]], attrs: {} },
  { op: 'tanh', shapes: [[3, 4]], attrs: {} },
  { op: 'sigmoid', shapes: [[3, 4]], attrs: {}, lo: -20, hi: 20 },
  { op: 'softplus', shapes: [[3, 4]], attrs: {}, lo: -30, hi: 30 },
  { op: 'abs', shapes: [[3, 4]], attrs: {} },
  { op: 'addScalar', shapes: [[3, 4]], attrs: { value: 0.25 } },
  { op: 'mulScalar', shapes: [[3, 4]], attrs: { value: -3 } },
  { op: 'powScalar', shapes: [[3, 4]], attrs: { value: 2.5 }, lo: 0.1, hi: 2 },
  { op: 'reluMask', shapes: [[3, 4], [3, 4]], attrs: {} },
  { op: 'sum', shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepDims: false } },
  { op: 'sum', shapes: [[2, 3, 4]], attrs: { axes: [1], keepDims: true } },
  { op: 'broadcastTo', shapes: [[3, 1]], attrs: { shape: [2, 3, 4] } },
  { op: 'reshape', shapes: [[3, 4]], attrs: { shape: [2, 6] } },
  { op: 'concat', shapes: [[2, 3], [2, 1], [2, 2]], attrs: { axis: 1 } },
  { op: 'slice', shapes: [[4, 5]], attrs: { axis: 0, start: 1, end: 3 } },
  { op: 'softmax', shapes: [[3, 5]], attrs: {}, lo: -10, hi: 10 },
  { op: 'logSoftmax', shapes: [[3, 5]], attrs: {}, lo: -10, hi: 10 },
  { op: 'conv2d', shapes: [[2, 3, 7, 6], [4, 3, 3, 2]], attrs: { stride: [2, 1], padding: [1, 1] } },
  {
    op: 'conv2dBackwardInput',
    shapes: [[2, 4, 4, 7], [4, 3, 3, 2]],
    attrs: { stride: [2, 1], padding: [1, 1], inputShape: [2, 3, 7, 6] },
  },
  {
    op: 'conv2dBackwardWeight',
    shapes: [[2, 3, 7, 6], [2, 4, 4, 7]],
    attrs: { stride: [2, 1], padding: [1, 1], weightShape: [4, 3, 3, 2] },
  },
  { op: 'maxPool2d', shapes: [[2, 3, 6, 5]], attrs: { kernel: [2, 2], stride: [2, 2] } },
  { op: 'maxPool2dSelect', shapes: [[1, 2, 5, 5], [1, 2, 5, 5]], attrs: { kernel: [3, 3], stride: [1, 2] } },
  { op: 'maxPool2dScatter', shapes: [[1, 2, 5, 5], [1, 2, 3, 2]], attrs: { kernel: [3, 3], stride: [1, 2] } },
  { op: 'squaredEuclidean', shapes: [[6, 5], [4, 5]], attrs: {} },
  { op: 'oneHot', shapes: [[6]], attrs: { numClasses: 4 }, labels: 4 },
];

function inputsFor(b: Backend, c: Case, dtype: DType, seed: number) {
  const next = rng(seed);
  return c.shapes.map((shape) => {
    const data = randomArray(shape, dtype, next, c.lo ?? -1, c.hi ?? 1);
    if (c.labels) for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * c.labels);
    return b.fromArray(data, shape);
  });
}

describe('native vs pure-TypeScript core', () => {
  it('covers every primitive', () => {
    expect(new Set(CASES.map((c) => c.op))).toEqual(new Set(PRIMITIVES));
  });

  for (const dtype of ['float64', 'float32'] as const) {
    const tolerance = dtype === 'float64' ? 1e-10 : 2e-5;
    it.skipIf(skip)(`every primitive's forward agrees in ${dtype} within ${tolerance} (${skip ? reason : 'both'})`, () => {
      CASES.forEach((c, k) => {
        const outs = [native!, js!].map((b) => {
          const h = b.exec(c.op, inputsFor(b, c, dtype, 100 + k), c.attrs as PrimitiveAttrs);
          return { shape: b.shapeOf(h), dtype: b.dtypeOf(h), data: b.toArray(h) };
        });
        expect(outs[0].shape, c.op).toEqual(outs[1].shape);
        expect(outs[0].dtype, c.op).toBe(dtype);
        expect(maxRelativeDiff(outs[0].data, outs[1].data), `${c.op} ${JSON.stringify(c.attrs)}`).toBeLessThan(tolerance);
      });
    });
  }

  // x [4,3] -> tanh(x w1 + b1) -> relu(... w2) -> sum(square) / 4; inputs w1 [3,5], b1 [5], w2 [5,2], x [4,3].
  const spec: ProgramSpec = {
    inputs: [
      { shape: [3, 5], dtype: 'float64' },
      { shape: [5], dtype: 'float64' },
      { shape: [5, 2], dtype: 'float64' },
      { shape: [4, 3], dtype: 'float64' },
    ],
    nodes: [
      { op: 'matmul', inputs: [3, 0], attrs: { transA: false, transB: false }, shape: [4, 5], dtype: 'float64' },
      { op: 'add', inputs: [4, 1], attrs: {}, shape: [4, 5], dtype: 'float64' },
      { op: 'tanh', inputs: [5], attrs: {}, shape: [4, 5], dtype: 'float64' },
      { op: 'matmul', inputs: [6, 2], attrs: { transA: false, transB: false }, shape: [4, 2], dtype: 'float64' },
      { op: 'relu', inputs: [7], attrs: {}, shape: [4, 2], dtype: 'float64' },
      { op: 'square', inputs: [8], attrs: {}, shape: [4, 2], dtype: 'float64' },
      { op: 'sum', inputs: [9], attrs: { axes: [0, 1], keepDims: false }, shape: [], dtype: 'float64' },
      { op: 'mulScalar', inputs: [10], attrs: { value: 0.25 }, shape: [], dtype: 'float64' },
    ],
    outputs: [11, 7],
  };

  it.skipIf(skip)('a recorded program: vjp, jvp and hvp agree within 1e-10', () => {
    const results = [native!, js!].map((b) => {
      const next = rng(42);
      const inputs = spec.inputs.map((i) => b.fromArray(randomArray(i.shape, 'float64', next), i.shape));
      const tangents = spec.inputs.map((i) => b.fromArray(randomArray(i.shape, 'float64', next), i.shape));
      const one = b.fromArray(new Float64Array([1]), []);
      const p = b.compile(spec);
      const v = p.vjp(inputs, [one, null], [0, 1, 2]);
      const j = p.jvp(inputs, tangents);
      const h = p.hvp(inputs, [tangents[0], tangents[1], tangents[2], null], [one, null], [0, 1, 2]);
      const arrays = (hs: typeof v.grads) => hs.map((x) => Array.from(b.toArray(x)));
      return [arrays(v.outputs), arrays(v.grads), arrays(j.tangents), arrays(h.grads), arrays(h.gradTangents)].flat();
    });
    expect(results[0].length).toBe(results[1].length);
    results[0].forEach((a, i) => expect(maxRelativeDiff(a, results[1][i]), `result ${i}`).toBeLessThan(1e-10));
  });
});
