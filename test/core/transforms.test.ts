/** grad / valueAndGrad / vjp / jvp / hvp / record on small models, on every backend. */
import { it, expect, beforeAll } from 'vitest';
import { tensor, grad, valueAndGrad, vjp, jvp, hvp, record, nn, ops } from '../../lib/index.js';
import type { Params, Tensor } from '../../lib/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, numericDirectional, numericGradient } from '../helpers/finiteDifferences.js';
import { randomValues } from '../helpers/random.js';

const f64 = (data: ArrayLike<number>, shape: number[]) => tensor(data, shape, 'float64');

/** Flattens a Params record in sorted key order. */
function flatten(p: Params): Float64Array {
  return Float64Array.from(Object.keys(p).sort().flatMap((k) => [...p[k].toArray()]));
}

/** The inverse of flatten, shaped like `like`. */
function unflatten(flat: ArrayLike<number>, like: Params): Params {
  const out: Params = {};
  let offset = 0;
  for (const k of Object.keys(like).sort()) {
    const n = like[k].size;
    out[k] = f64(Array.from(flat).slice(offset, offset + n), [...like[k].shape]);
    offset += n;
  }
  return out;
}

describeEachBackend('transforms', () => {
  // A 2-3-1 ReLU MLP under MSE: the loss is piecewise quadratic in the weights, so its Hessian
  // is non-zero and exactly defined away from the ReLU kinks (these inputs are not at one).
  const model = nn.mlp([2, 3, 1]);
  let x: Tensor;
  let y: Tensor;
  beforeAll(() => {
    // Created after describeEachBackend selected this suite's backend.
    x = f64([0.5, -1.0, 1.5, 0.25, -0.75, 2.0, 1.0, 1.0], [4, 2]);
    y = f64([0.3, -0.2, 0.8, 0.1], [4, 1]);
  });
  const loss = (p: Params) => ops.mse(model.apply(p, x), y);

  it('grad of the tiny MLP matches finite differences', () => {
    const p = model.init(3, 'float64');
    const g = flatten(grad(loss)(p));
    const expected = numericGradient(([w]) => loss(unflatten(w, p)).item(), [flatten(p)])[0];
    expectClose(g, expected, 1e-7, 1e-6, 'grad');
  });

  it('hvp equals the full Hessian (built column by column from finite differences of grad) times v', () => {
    const p = model.init(3, 'float64');
    const n = flatten(p).length; // 2*3 + 3 + 3*1 + 1 = 13
    expect(n).toBe(13);
    const gradient = (w: Float64Array) => flatten(grad(loss)(unflatten(w, p)));
    const w0 = flatten(p);
    const hessian: Float64Array[] = []; // columns
    const hvpColumns: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const e = new Float64Array(n);
      e[i] = 1;
      hessian.push(numericDirectional(([w]) => gradient(w), [w0], [e]));
      hvpColumns.push(flatten(hvp(loss, p, unflatten(e, p))));
    }
    // H e_i from hvp equals the finite-difference column, and H is symmetric.
    for (let i = 0; i < n; i++) expectClose(hvpColumns[i], hessian[i], 1e-6, 1e-5, `column ${i}`);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(hvpColumns[i][j]).toBeCloseTo(hvpColumns[j][i], 10);
    // For a random v: hvp(v) = H v.
    const v = Float64Array.from(randomValues([n], 7));
    const hv = flatten(hvp(loss, p, unflatten(v, p)));
    const expected = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected[i] += hessian[j][i] * v[j];
    expectClose(hv, expected, 1e-6, 1e-5, 'H v');
    // The Hessian is not trivially zero (the test can fail).
    expect(Math.max(...hv.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('hvp on a small conv net (conv, batchNorm, relu, maxPool, crossEntropy) matches finite differences of grad', () => {
    const net = nn.conv4({ inChannels: 1, hidden: 2, outputs: 3, imageSize: 16 });
    const p = net.init(1, 'float64');
    const images = f64(randomValues([3, 1, 16, 16], 11), [3, 1, 16, 16]);
    const labels = new Int32Array([0, 2, 1]);
    const f = (q: Params) => ops.crossEntropy(net.apply(q, images), labels);
    const v = unflatten(randomValues([flatten(p).length], 12), p);
    const hv = flatten(hvp(f, p, v));
    const expected = numericDirectional(([w]) => flatten(grad(f)(unflatten(w, p))), [flatten(p)], [flatten(v)], 1e-4);
    expectClose(hv, expected, 1e-5, 1e-3, 'conv hvp');
  });

  it('valueAndGrad returns the loss value and the same gradient as grad', () => {
    const p = model.init(5, 'float64');
    const [value, g] = valueAndGrad(loss)(p);
    expect(value).toBeCloseTo(loss(p).item(), 14);
    expectClose(flatten(g), flatten(grad(loss)(p)), 0, 0);
  });

  it('vjp with a non-scalar output and jvp agree with finite differences', () => {
    const p = model.init(2, 'float64');
    const out = (q: Params) => model.apply(q, x); // [4,1]
    const [value, pullback] = vjp(out, p);
    expect(value.shape).toEqual([4, 1]);
    const cot = f64([1, -2, 0.5, 3], [4, 1]);
    const g = flatten(pullback(cot));
    const expected = numericGradient(([w]) => ops.sum(ops.mul(out(unflatten(w, p)), cot)).item(), [flatten(p)])[0];
    expectClose(g, expected, 1e-7, 1e-6, 'vjp');
    const v = unflatten(randomValues([flatten(p).length], 4), p);
    const [primal, tangent] = jvp(out, p, v);
    expectClose(primal.toArray(), value.toArray(), 0, 0);
    const fd = numericDirectional(([w]) => out(unflatten(w, p)).toArray() as Float64Array, [flatten(p)], [flatten(v)]);
    expectClose(tangent.toArray(), fd, 1e-7, 1e-6, 'jvp');
  });

  it('a parameter that does not affect the loss gets a zero gradient and zero hvp', () => {
    const p = { used: f64([1, 2], [2]), unused: f64([3], [1]) };
    const f = (q: Params) => ops.sum(ops.square(q.used));
    const g = grad(f)(p);
    expectClose(g.unused.toArray(), [0], 0, 0);
    expectClose(g.used.toArray(), [2, 4], 0, 0);
    const hv = hvp(f, p, { used: f64([1, 1], [2]), unused: f64([1], [1]) });
    expectClose(hv.used.toArray(), [2, 2], 0, 0);
    expectClose(hv.unused.toArray(), [0], 0, 0);
  });

  it('concrete tensors used inside f are captured as constants', () => {
    const scale = f64([2, 3], [2]);
    const p = { w: f64([1, 1], [2]) };
    const g = grad((q) => ops.sum(ops.mul(ops.square(q.w), scale)))(p);
    expectClose(g.w.toArray(), [4, 6], 0, 0);
  });

  it('record once, replay for new params and inputs: run, valueAndGrad, hvp', () => {
    const p0 = model.init(0, 'float64');
    const lossOf = (p: Params, xs: Tensor, ys: Tensor) => [ops.mse(model.apply(p, xs), ys), model.apply(p, xs)];
    const program = record(lossOf, p0, x, y);
    expect(program.numParams).toBe(4);
    expect(program.paramNames).toEqual(['layer0.bias', 'layer0.weight', 'layer1.bias', 'layer1.weight']);
    expect(program.numOutputs).toBe(2);
    const p1 = model.init(9, 'float64');
    const x2 = f64(randomValues([4, 2], 21), [4, 2]);
    const y2 = f64(randomValues([4, 1], 22), [4, 1]);
    const direct = (p: Params) => ops.mse(model.apply(p, x2), y2);
    const [loss1, pred] = program.run(p1, x2, y2);
    expect(loss1.item()).toBeCloseTo(direct(p1).item(), 14);
    expectClose(pred.toArray(), model.apply(p1, x2).toArray(), 0, 0);
    const [value, g] = program.valueAndGrad(p1, x2, y2);
    expect(value).toBeCloseTo(direct(p1).item(), 14);
    expectClose(flatten(g), flatten(grad(direct)(p1)), 1e-14, 1e-12);
    const v = unflatten(randomValues([13], 3), p1);
    expectClose(flatten(program.hvp(p1, v, x2, y2)), flatten(hvp(direct, p1, v)), 1e-14, 1e-12);
    // Program inputs: [params sorted..., inputs..., constants...]
    expect(program.inputHandles(p1, x2, y2).length).toBe(4 + 2 + program.constants.length);
  });

  it('record with Tensor labels replays crossEntropy for new labels (oneHot primitive inside)', () => {
    const net = nn.mlp([3, 4, 2]);
    const p = net.init(1, 'float64');
    const xs = f64(randomValues([5, 3], 1), [5, 3]);
    const ce = (q: Params, a: Tensor, labels: Tensor) => ops.crossEntropy(net.apply(q, a), labels);
    const program = record(ce, p, xs, f64([0, 1, 0, 1, 1], [5]));
    const labels = new Int32Array([1, 1, 0, 0, 1]);
    const [value] = program.valueAndGrad(p, xs, f64(labels, [5]));
    expect(value).toBeCloseTo(ops.crossEntropy(net.apply(p, xs), labels).item(), 14);
  });
});
