/**
 * Every primitive's (the shared table test/ops/cases.json) and composite's VJP, JVP and HVP against central finite differences in
 * float64, on every available backend.
 */
import { describe, it, expect } from 'vitest';
import { tensor, grad, jvp, hvp, ops } from '../../lib/index.js';
import type { Params, Tensor } from '../../lib/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, numericDirectional, numericGradient } from '../helpers/finiteDifferences.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPOSITE_CASES, PRIMITIVE_CASE_SPECS, PRIMITIVE_CASES, drawInput, loadPrimitiveCases, type OpCase } from '../helpers/opCases.js';
import { PRIMITIVES } from '../../lib/backend/primitives.js';
import { randomValues } from '../helpers/random.js';

const ATOL = 1e-6;
const RTOL = 1e-5;

/** Builds the case's inputs in float64: differentiable ones as Float64Arrays, data inputs as fixed tensors. */
function setup(c: OpCase, seed: number) {
  const diffIndices = c.inputs.map((s, i) => (s.values ? -1 : i)).filter((i) => i >= 0);
  const start = diffIndices.map((i) => Float64Array.from(drawInput(c.inputs[i], seed + i)));
  const data = c.inputs.map((s) => (s.values ? tensor(s.values, s.shape, 'float64') : null));
  const build = (arrays: Float64Array[]): Tensor[] => {
    let k = 0;
    return c.inputs.map((s, i) => data[i] ?? tensor(arrays[k++], s.shape, 'float64'));
  };
  const toParams = (arrays: Float64Array[]): Params =>
    Object.fromEntries(diffIndices.map((i, k) => [`x${k}`, tensor(arrays[k], c.inputs[i].shape, 'float64')]));
  const fromParams = (p: Params): Tensor[] => {
    let k = 0;
    return c.inputs.map((_, i) => data[i] ?? p[`x${k++}`]);
  };
  // Random output weights make L = sum(W * f) exercise every output element differently.
  const outShape = c.f(build(start)).shape;
  const weights = tensor(randomValues(outShape, seed + 99), outShape, 'float64');
  const loss = (xs: Tensor[]) => ops.sum(ops.mul(c.f(xs), weights));
  const directions = start.map((x, k) => Float64Array.from(randomValues([x.length], seed + 50 + k)));
  return { start, build, toParams, fromParams, loss, directions };
}

function checkCase(c: OpCase, seed: number): void {
  if (c.inputs.every((s) => s.values)) {
    // Only data inputs (oneHot of labels): nothing to differentiate; the forward value must exist.
    it(`${c.name}: runs (its inputs are data, so it has no derivatives)`, () => {
      const out = c.f(c.inputs.map((s) => tensor(s.values!, s.shape, 'float64')));
      expect(out.size).toBeGreaterThan(0);
    });
    return;
  }
  it(`${c.name}: VJP matches finite differences`, () => {
    const s = setup(c, seed);
    const g = grad((p) => s.loss(s.fromParams(p)))(s.toParams(s.start));
    const expected = numericGradient((xs) => s.loss(s.build(xs)).item(), s.start);
    expected.forEach((e, k) => expectClose(g[`x${k}`].toArray(), e, ATOL, RTOL, `${c.name} grad x${k}`));
  });

  it(`${c.name}: JVP matches finite differences`, () => {
    const s = setup(c, seed);
    const v = Object.fromEntries(s.directions.map((d, k) => [`x${k}`, tensor(d, s.toParams(s.start)[`x${k}`].shape, 'float64')]));
    const [value, tangent] = jvp((p) => c.f(s.fromParams(p)), s.toParams(s.start), v);
    expectClose(value.toArray(), c.f(s.build(s.start)).toArray(), 1e-12, 1e-12, `${c.name} value`);
    const expected = numericDirectional((xs) => c.f(s.build(xs)).toArray() as Float64Array, s.start, s.directions);
    expectClose(tangent.toArray(), expected, ATOL, RTOL, `${c.name} tangent`);
  });

  it(`${c.name}: HVP matches finite differences of the gradient`, () => {
    const s = setup(c, seed);
    const shapes = s.toParams(s.start);
    const v = Object.fromEntries(s.directions.map((d, k) => [`x${k}`, tensor(d, shapes[`x${k}`].shape, 'float64')]));
    const hv = hvp((p) => s.loss(s.fromParams(p)), shapes, v);
    const gradient = grad((p) => s.loss(s.fromParams(p)));
    const names = Object.keys(shapes).sort();
    const flatGrad = (xs: Float64Array[]) => {
      const g = gradient(s.toParams(xs));
      return Float64Array.from(names.flatMap((n) => [...g[n].toArray()]));
    };
    const expected = numericDirectional(flatGrad, s.start, s.directions);
    const actual = names.flatMap((n) => [...hv[n].toArray()]);
    expectClose(actual, expected, 1e-5, 1e-4, `${c.name} hvp`);
  });
}

describe('the shared op-test table (test/ops/cases.json)', () => {
  it('has a case for every primitive', () => {
    const covered = new Set(PRIMITIVE_CASE_SPECS.map((c) => c.op));
    expect(PRIMITIVES.filter((p) => !covered.has(p))).toEqual([]);
  });

  it('rejects a case that names an unknown op', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'op-cases-')), 'cases.json');
    writeFileSync(path, JSON.stringify({ cases: [{ name: 'bogus', op: 'bogus', attrs: {}, inputs: [{ shape: [2] }] }] }));
    expect(() => loadPrimitiveCases(pathToFileURL(path))).toThrow(/case 'bogus' names unknown op 'bogus'/);
  });
});

describeEachBackend('primitive derivatives (float64)', () => {
  PRIMITIVE_CASES.forEach((c, i) => checkCase(c, 1000 + 17 * i));
});

describeEachBackend('composite derivatives (float64)', () => {
  COMPOSITE_CASES.forEach((c, i) => checkCase(c, 5000 + 17 * i));

  it('the test itself can fail: a wrong derivative is caught', () => {
    const x = Float64Array.from([0.3, -0.7]);
    const wrong = Float64Array.from([1, 1]);
    const expected = numericGradient((xs) => ops.sum(ops.square(tensor(xs[0], [2], 'float64'))).item(), [x])[0];
    expect(() => expectClose(wrong, expected, ATOL, RTOL)).toThrow();
  });
});
