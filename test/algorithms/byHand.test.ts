/**
 * First-order MAML, Reptile (SGD and Adam) and iMAML against their definitions, computed
 * independently: a one-weight linear model y = w x worked out in plain numbers, and iMAML's
 * linear system solved directly from the Hessian built column by column.
 */
import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { tensor } from '../../lib/core/creation.js';
import { grad, hvp } from '../../lib/core/transforms.js';
import type { Params } from '../../lib/core/params.js';
import * as ops from '../../lib/ops/index.js';
import type { Model } from '../../lib/nn/model.js';
import { IMAML, MAML, MAMLpp, Reptile, cosineAnnealing, multiStepLossWeights, orderAt } from '../../lib/algorithms/index.js';
import { ValueError } from '../../lib/errors.js';
import type { Task } from '../../lib/algorithms/types.js';
import { regressionTask, taskLoss, tanhMlp } from './reference.js';
import { gaussianSolve } from '../helpers/gaussianSolve.js';

/** y = x w with one weight: w [1, 1], x [n, 1]. */
const linear: Model = {
  init: (_seed, dtype = 'float64') => ({ w: tensor([0.5], [1, 1], dtype) }),
  apply: (p, x) => ops.matmul(x, p.w),
};

const support = { x: [1, 2, -1], y: [2, 3, -1] };
const query = { x: [0.5, -2], y: [1, -3] };

/** L(w) = mean((x w - y)^2) and dL/dw = 2 mean(x (x w - y)), by hand. */
const lossAt = (w: number, s: { x: number[]; y: number[] }) => s.x.reduce((a, x, i) => a + (x * w - s.y[i]) ** 2, 0) / s.x.length;
const gradAt = (w: number, s: { x: number[]; y: number[] }) => (2 * s.x.reduce((a, x, i) => a + x * (x * w - s.y[i]), 0)) / s.x.length;

function linearTask(): Task {
  const set = (s: { x: number[]; y: number[] }) => ({ x: tensor(s.x, [s.x.length, 1], 'float64'), y: tensor(s.y, [s.y.length, 1], 'float64') });
  return { support: set(support), query: set(query) };
}

describeEachBackend('definitions by hand', (backend) => {
  it('first-order MAML: grad L_q at the adapted weight, Hessian term dropped', async () => {
    const lr = 0.1;
    const w0 = 0.5;
    let w = w0;
    for (let j = 0; j < 2; j++) w -= lr * gradAt(w, support);
    const fomaml = new MAML(linear, { innerLR: lr, innerSteps: 2, order: 1, engine: 'typescript' });
    const { loss, grads } = await fomaml.metaGradient(linear.init(0), [linearTask()]);
    expect(loss).toBeCloseTo(lossAt(w, query), 12);
    expect(grads.w.item()).toBeCloseTo(gradAt(w, query), 12);
    // Second order for k = 1 by hand: d/dw0 L_q(w0 - lr L_s'(w0)) = L_q'(w1) (1 - lr L_s''), L_s'' = 2 mean(x^2).
    const maml = new MAML(linear, { innerLR: lr, innerSteps: 1, order: 2, engine: 'typescript' });
    const w1 = w0 - lr * gradAt(w0, support);
    const hessian = (2 * support.x.reduce((a, x) => a + x * x, 0)) / support.x.length;
    const exact = await maml.metaGradient(linear.init(0), [linearTask()]);
    expect(exact.grads.w.item()).toBeCloseTo(gradAt(w1, query) * (1 - lr * hessian), 12);
  });

  it('Reptile (SGD): grads = w0 - w_k, averaged over tasks', async () => {
    const lr = 0.05;
    let w = 0.5;
    for (let j = 0; j < 3; j++) w -= lr * gradAt(w, support);
    const reptile = new Reptile(linear, { innerLR: lr, innerSteps: 3 });
    const { grads, loss } = await reptile.metaGradient(linear.init(0), [linearTask(), linearTask()]);
    expect(grads.w.item()).toBeCloseTo(0.5 - w, 12);
    expect(loss).toBeCloseTo(lossAt(w, query), 12);
  });

  it('Reptile (Adam): bias-corrected Adam steps by hand', async () => {
    const lr = 0.1;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    let w = 0.5;
    let m = 0;
    let v = 0;
    for (let t = 1; t <= 3; t++) {
      const g = gradAt(w, support);
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      w -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
    }
    const reptile = new Reptile(linear, { innerLR: lr, innerSteps: 3, innerOptimizer: 'adam', adamBetas: [b1, b2], adamEpsilon: eps });
    const adapted = await reptile.adaptParams(linear.init(0), linearTask().support);
    expect(adapted.w.item()).toBeCloseTo(w, 12);
    const { grads } = await reptile.metaGradient(linear.init(0), [linearTask()]);
    expect(grads.w.item()).toBeCloseTo(0.5 - w, 12);
  });

  it('iMAML: the CG implicit gradient equals a direct solve of (I + H/lambda) x = grad L_q', async () => {
    const model = tanhMlp([1, 3, 1]);
    const params = model.init(21, 'float64');
    const task = regressionTask(22, 5, 5);
    const lambda = 2;
    const names = Object.keys(params).sort();
    const sizes = names.map((n) => params[n].size);
    const dim = sizes.reduce((a, b) => a + b, 0);
    const imaml = new IMAML(model, { innerLR: 0.1, innerSteps: 4, lambda, cgSteps: dim, cgTolerance: 0, engine: 'typescript' });
    const { grads } = await imaml.metaGradient(params, [task]);

    // Reference: phi from adapt (the proximal inner loop), then H_s(phi) column by column via hvp,
    // A = I + H/lambda, and A x = grad L_q(phi) by Gaussian elimination with partial pivoting.
    const phi = await imaml.adaptParams(params, task.support, { innerSteps: 4 });
    const unit = (k: number): Params => {
      const v: Params = {};
      let offset = 0;
      names.forEach((n, i) => {
        const data = new Float64Array(sizes[i]);
        if (k >= offset && k < offset + sizes[i]) data[k - offset] = 1;
        v[n] = tensor(data, params[n].shape, 'float64');
        offset += sizes[i];
      });
      return v;
    };
    const flat = (p: Params) => names.flatMap((n) => Array.from(p[n].toArray()));
    const columns = Array.from({ length: dim }, (_, k) => flat(hvp((p: Params) => taskLoss(model, p, task.support), phi, unit(k))));
    const a = Array.from({ length: dim }, (_, r) => Array.from({ length: dim }, (_, c) => (r === c ? 1 : 0) + columns[c][r] / lambda));
    const b = flat(grad((p: Params) => taskLoss(model, p, task.query))(phi));
    const x = gaussianSolve(a, b);
    const engine = flat(grads);
    const diff = Math.max(...engine.map((e, i) => Math.abs(e - x[i])));
    console.log(`[${backend}] iMAML CG (${dim} steps) vs direct solve: max |diff| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-9);
    // The proximal inner loop by hand: phi_1 = theta - lr (grad L_s(theta) + lambda (theta - theta)) = theta - lr grad L_s(theta).
    const one = await imaml.adaptParams(params, task.support, { innerSteps: 1 });
    const g0 = flat(grad((p: Params) => taskLoss(model, p, task.support))(params));
    const expected = flat(params).map((t, i) => t - 0.1 * g0[i]);
    flat(one).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });
});

describe('MAML++ schedules', () => {
  it('multi-step loss weights: uniform over steps 1..k at first, annealed to a 0.03/k floor, sum 1', () => {
    expect(multiStepLossWeights(4, 0, 100)).toEqual([0, 0.25, 0.25, 0.25, 0.25]);
    const mid = multiStepLossWeights(4, 50, 100);
    const early = 0.25 - (0.25 - 0.0075) * 0.5;
    [early, early, early].forEach((w, j) => expect(mid[j + 1]).toBeCloseTo(w, 15));
    expect(mid[4]).toBeCloseTo(1 - 3 * early, 15);
    const end = multiStepLossWeights(4, 500, 100);
    expect(end[1]).toBeCloseTo(0.0075, 15);
    expect(end[4]).toBeCloseTo(1 - 3 * 0.0075, 15);
    expect(multiStepLossWeights(1, 3, 10)).toEqual([0, 1]);
  });

  it('cosine annealing and the order switch', () => {
    expect(cosineAnnealing(0.001, 0, 100)).toBeCloseTo(0.001, 15);
    expect(cosineAnnealing(0.001, 50, 100, 0.0001)).toBeCloseTo(0.00055, 15);
    expect(cosineAnnealing(0.001, 100, 100, 0.0001)).toBeCloseTo(0.0001, 15);
    expect(cosineAnnealing(0.001, 250, 100, 0.0001)).toBeCloseTo(0.0001, 15);
    expect(orderAt(9, 10)).toBe(1);
    expect(orderAt(10, 10)).toBe(2);
    const mamlpp = new MAMLpp(linear, { innerSteps: 2, firstOrderIterations: 3, multiStepLossIterations: 4 });
    expect(mamlpp.currentSchedule().order).toBe(1);
    mamlpp.setIteration(3);
    expect(mamlpp.currentSchedule()).toEqual({ order: 2, stepWeights: multiStepLossWeights(2, 3, 4) });
    expect(() => multiStepLossWeights(0, 0, 1)).toThrow(ValueError);
  });
});
