/**
 * Native core vs the pure-TypeScript core on random inputs: every case of the shared op-test table
 * (test/ops/cases.json) forward in float64 and float32, and a recorded program's vjp / jvp / hvp.
 * Tolerances: float64 1e-10, float32 2e-5 (relative, |a - b| / (1 + |b|)).
 */
import { describe, expect, it } from 'vitest';

import { PRIMITIVES } from '../../lib/backend/primitives.js';
import type { Backend, DType, ProgramSpec } from '../../lib/backend/types.js';
import { PRIMITIVE_CASE_SPECS, drawInput, type PrimitiveCaseSpec } from '../helpers/opCases.js';
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

/** The case's inputs on backend b: its values (test/ops/cases.json), as the dtype's array. */
function inputsFor(b: Backend, c: PrimitiveCaseSpec, dtype: DType, seed: number) {
  return c.inputs.map((s, i) => {
    const values = drawInput(s, seed + i);
    return b.fromArray(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), s.shape);
  });
}

describe('native vs pure-TypeScript core', () => {
  it('covers every primitive (test/ops/cases.json)', () => {
    expect(new Set(PRIMITIVE_CASE_SPECS.map((c) => c.op))).toEqual(new Set(PRIMITIVES));
  });

  for (const dtype of ['float64', 'float32'] as const) {
    const tolerance = dtype === 'float64' ? 1e-10 : 2e-5;
    it.skipIf(skip)(`every primitive's forward agrees in ${dtype} within ${tolerance} (${skip ? reason : 'both'})`, () => {
      PRIMITIVE_CASE_SPECS.forEach((c, k) => {
        const outs = [native!, js!].map((b) => {
          const h = b.exec(c.op, inputsFor(b, c, dtype, 100 + 17 * k), c.attrs);
          return { shape: b.shapeOf(h), dtype: b.dtypeOf(h), data: b.toArray(h) };
        });
        expect(outs[0].shape, c.name).toEqual(outs[1].shape);
        expect(outs[0].dtype, c.name).toBe(dtype);
        expect(maxRelativeDiff(outs[0].data, outs[1].data), c.name).toBeLessThan(tolerance);
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
