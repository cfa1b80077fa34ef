/**
 * The op cases of the derivative tests and the native-vs-JS agreement tests. Primitive cases
 * are data, read from test/ops/cases.json (shared with the C++ test native/tests/test_derivatives.cpp):
 * input shapes, how to draw inputs so that derivatives exist (no kinks, no ties, positive where
 * required) and the attributes; each applies its primitive directly. Composite ops are closures.
 */
import { readFileSync } from 'node:fs';
import * as ops from '../../lib/ops/index.js';
import { apply } from '../../lib/core/apply.js';
import type { Tensor } from '../../lib/core/tensor.js';
import { PRIMITIVES, type PrimitiveAttrs, type PrimitiveName } from '../../lib/backend/primitives.js';
import { Random } from '../../lib/core/random.js';
import { sizeOf } from '../../lib/core/shape.js';
import { randomValues, type Distribution } from './random.js';

export interface InputSpec {
  shape: number[];
  /** How to draw the values: a distribution of random.ts, or uniform in [lo, hi). */
  dist?: Distribution;
  range?: [number, number];
  /** Fixed values for data inputs (labels); such inputs are not differentiated. */
  values?: number[];
}

export interface OpCase {
  name: string;
  inputs: InputSpec[];
  f: (xs: Tensor[]) => Tensor;
}

/** One row of test/ops/cases.json. */
export interface PrimitiveCaseSpec {
  name: string;
  op: PrimitiveName;
  attrs: PrimitiveAttrs;
  inputs: InputSpec[];
}

/** The values of one input: its fixed data, uniform in its range, or drawn from its distribution. */
export function drawInput(s: InputSpec, seed: number): number[] {
  if (s.values) return s.values;
  if (s.range) {
    const [lo, hi] = s.range;
    const rng = new Random(seed);
    return Array.from({ length: sizeOf(s.shape) }, () => rng.uniform(lo, hi));
  }
  return randomValues(s.shape, seed, s.dist);
}

const labels = (values: number[]): InputSpec => ({ shape: [values.length], values });

/** The shared table, checked on load: every case names a known primitive, names are unique. */
export function loadPrimitiveCases(path = new URL('../ops/cases.json', import.meta.url)): PrimitiveCaseSpec[] {
  const { cases } = JSON.parse(readFileSync(path, 'utf8')) as { cases: PrimitiveCaseSpec[] };
  const names = new Set<string>();
  for (const c of cases) {
    if (!(PRIMITIVES as readonly string[]).includes(c.op)) throw new Error(`cases.json: case '${c.name}' names unknown op '${c.op}'`);
    if (names.has(c.name)) throw new Error(`cases.json: case name '${c.name}' appears twice`);
    names.add(c.name);
  }
  return cases;
}

export const PRIMITIVE_CASE_SPECS: PrimitiveCaseSpec[] = loadPrimitiveCases();

export const PRIMITIVE_CASES: OpCase[] = PRIMITIVE_CASE_SPECS.map((c) => ({
  name: c.name,
  inputs: c.inputs,
  f: (xs: Tensor[]) => apply(c.op, xs, c.attrs),
}));

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
  // Front-end conveniences around primitives: reshape's -1, oneHot of data labels.
  { name: 'reshape', inputs: [{ shape: [2, 6] }], f: ([x]) => ops.mul(ops.reshape(x, [3, -1]), ops.reshape(x, [3, 4])) },
  {
    name: 'oneHot (labels are data)',
    inputs: [{ shape: [4, 3] }, labels([2, 0, 1, 2])],
    f: ([x, y]) => ops.mul(x, ops.oneHot(y, 3)),
  },
  {
    name: 'squaredEuclidean to prototypes, then logSoftmax',
    inputs: [{ shape: [4, 3] }],
    f: ([e]) => ops.logSoftmax(ops.neg(ops.squaredEuclidean(e, ops.prototypes(e, new Int32Array([0, 1, 1, 0]), 2)))),
  },
];
