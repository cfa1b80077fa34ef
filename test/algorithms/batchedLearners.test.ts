/**
 * Reptile and iMAML on batched adaptation (engine 'auto': on the native core one adaptBatch call
 * per meta-batch; on the pure-TS core the TypeScript twin): against their definitions by hand
 * on a one-weight linear model (several different tasks, a meta-batch of mixed shapes), the
 * implicit gradient against a direct solve of (I + H/lambda) x = grad L_q, and 'auto' against
 * 'typescript'.
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { tensor } from '../../lib/core/creation.js';
import { grad, hvp } from '../../lib/core/transforms.js';
import type { Params } from '../../lib/core/params.js';
import * as ops from '../../lib/ops/index.js';
import type { Model } from '../../lib/nn/model.js';
import { IMAML, Reptile } from '../../lib/algorithms/index.js';
import { ShapeError } from '../../lib/errors.js';
import type { Task } from '../../lib/algorithms/types.js';
import { classificationTask, regressionTask, taskLoss, tanhMlp } from './reference.js';
import { gaussianSolve } from '../helpers/gaussianSolve.js';

/** y = x w with one weight. */
const linear: Model = {
  init: (_seed, dtype = 'float64') => ({ w: tensor([0.5], [1, 1], dtype) }),
  apply: (p, x) => ops.matmul(x, p.w),
};

interface Points {
  x: number[];
  y: number[];
}
/** Three tasks; the third has more support and query points (a second shape in the meta-batch). */
const TASKS: { support: Points; query: Points }[] = [
  { support: { x: [1, 2, -1], y: [2, 3, -1] }, query: { x: [0.5, -2], y: [1, -3] } },
  { support: { x: [0.3, -1.5, 2.5], y: [-0.2, 1, -2] }, query: { x: [1, 1.5], y: [-0.5, -1] } },
  { support: { x: [1, -1, 0.5, 2], y: [0.5, -0.4, 0.1, 1.2] }, query: { x: [2, -2, 0.3], y: [1, -1, 0.2] } },
];

const lossAt = (w: number, s: Points) => s.x.reduce((a, x, i) => a + (x * w - s.y[i]) ** 2, 0) / s.x.length;
const gradAt = (w: number, s: Points) => (2 * s.x.reduce((a, x, i) => a + x * (x * w - s.y[i]), 0)) / s.x.length;

function toTask(t: { support: Points; query: Points }): Task {
  const set = (s: Points) => ({ x: tensor(s.x, [s.x.length, 1], 'float64'), y: tensor(s.y, [s.y.length, 1], 'float64') });
  return { support: set(t.support), query: set(t.query) };
}

const flat = (p: Params) => Object.keys(p).sort().flatMap((n) => Array.from(p[n].toArray()));
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describeEachBackend('Reptile and iMAML on batched adaptation', (backend) => {
  it('Reptile (SGD): grads = w0 - mean_tasks(w_k), loss = mean query loss, over a mixed-shape meta-batch', async () => {
    const lr = 0.05;
    const steps = 3;
    const adapted = TASKS.map((t) => {
      let w = 0.5;
      for (let j = 0; j < steps; j++) w -= lr * gradAt(w, t.support);
      return w;
    });
    const reptile = new Reptile(linear, { innerLR: lr, innerSteps: steps });
    const { grads, loss } = await reptile.metaGradient(linear.init(0), TASKS.map(toTask));
    const meanW = adapted.reduce((a, w) => a + w, 0) / TASKS.length;
    expect(grads.w.item()).toBeCloseTo(0.5 - meanW, 13);
    expect(loss).toBeCloseTo(TASKS.reduce((a, t, i) => a + lossAt(adapted[i], t.query), 0) / TASKS.length, 13);
  });

  it('Reptile (Adam): per-task Adam state, bias-corrected, by hand', async () => {
    const [lr, b1, b2, eps, steps] = [0.1, 0.9, 0.99, 1e-8, 3];
    const adapted = TASKS.slice(0, 2).map((t) => {
      let [w, m, v] = [0.5, 0, 0];
      for (let s = 1; s <= steps; s++) {
        const g = gradAt(w, t.support);
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        w -= (lr * (m / (1 - b1 ** s))) / (Math.sqrt(v / (1 - b2 ** s)) + eps);
      }
      return w;
    });
    const reptile = new Reptile(linear, { innerLR: lr, innerSteps: steps, innerOptimizer: 'adam', adamBetas: [b1, b2], adamEpsilon: eps });
    const { grads } = await reptile.metaGradient(linear.init(0), TASKS.slice(0, 2).map(toTask));
    expect(grads.w.item()).toBeCloseTo(0.5 - (adapted[0] + adapted[1]) / 2, 13);
    const one = await reptile.adaptParams(linear.init(0), toTask(TASKS[1]).support);
    expect(one.w.item()).toBeCloseTo(adapted[1], 13);
  });

  it("Reptile and iMAML: engine 'auto' equals engine 'typescript' (classification, accuracy included)", async () => {
    const model = tanhMlp([3, 6, 4]);
    const params = model.init(5, 'float64');
    const tasks = [31, 32, 33].map((seed) => classificationTask(seed, 8, 3, 4));
    for (const make of [
      (engine: 'auto' | 'typescript') => new Reptile(model, { innerLR: 0.2, innerSteps: 2, innerOptimizer: 'adam', engine }),
      (engine: 'auto' | 'typescript') => new IMAML(model, { innerLR: 0.1, innerSteps: 3, lambda: 0.5, cgSteps: 4, engine }),
    ]) {
      const auto = await make('auto').metaGradient(params, tasks);
      const ts = await make('typescript').metaGradient(params, tasks);
      expect(maxDiff(flat(auto.grads), flat(ts.grads))).toBeLessThan(1e-12);
      expect(auto.loss).toBeCloseTo(ts.loss, 12);
      expect(auto.accuracy).toBe(ts.accuracy);
      expect(auto.accuracy).toBeGreaterThanOrEqual(0);
    }
  });

  it("iMAML (engine 'auto'): the implicit gradient equals a direct solve, averaged over tasks", async () => {
    const model = tanhMlp([1, 3, 1]);
    const params = model.init(21, 'float64');
    const tasks = [regressionTask(22, 5, 5), regressionTask(23, 5, 5)];
    const lambda = 2;
    const names = Object.keys(params).sort();
    const sizes = names.map((n) => params[n].size);
    const dim = sizes.reduce((a, b) => a + b, 0);
    const imaml = new IMAML(model, { innerLR: 0.1, innerSteps: 4, lambda, cgSteps: dim, cgTolerance: 0 });
    const { grads } = await imaml.metaGradient(params, tasks);

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
    const expected = new Array<number>(dim).fill(0);
    for (const task of tasks) {
      // phi from adapt (the proximal inner loop, checked by hand in byHand.test.ts), then A = I + H_s(phi)/lambda column by column.
      const phi = await imaml.adaptParams(params, task.support, { innerSteps: 4 });
      const columns = Array.from({ length: dim }, (_, k) => flat(hvp((p: Params) => taskLoss(model, p, task.support), phi, unit(k))));
      const a = Array.from({ length: dim }, (_, r) => Array.from({ length: dim }, (_, c) => (r === c ? 1 : 0) + columns[c][r] / lambda));
      const x = gaussianSolve(a, flat(grad((p: Params) => taskLoss(model, p, task.query))(phi)));
      x.forEach((v, i) => (expected[i] += v / tasks.length));
    }
    const diff = maxDiff(flat(grads), expected);
    console.log(`[${backend}] iMAML batched CG (${dim} steps) vs direct solve: max |diff| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-9);
  });

  it('leaves no live tensors behind (mixed shapes, support and query of different sizes, both engines)', async () => {
    const tasks = [regressionTask(41, 4, 6), regressionTask(42, 4, 6), regressionTask(43, 5, 5)];
    const model = tanhMlp([1, 4, 1]);
    const params = model.init(3, 'float64');
    const live = () => params['layer0.weight'].backend.liveTensors();
    for (const engine of ['auto', 'typescript'] as const) {
      for (const learner of [
        new Reptile(model, { innerSteps: 2, innerOptimizer: 'adam', engine }),
        new IMAML(model, { innerSteps: 2, cgSteps: 3, engine }),
      ]) {
        const round = async () => {
          const { grads } = await learner.metaGradient(params, tasks);
          const adapted = await learner.adaptParams(params, tasks[0].support);
          for (const t of [...Object.values(grads), ...Object.values(adapted)]) t.dispose();
        };
        await round(); // records the programs
        const before = live();
        await round();
        expect(live() - before).toBe(0);
      }
    }
  });

  it('an empty meta-batch is a ShapeError naming the learner', async () => {
    await expect(new Reptile(linear).metaGradient(linear.init(0), [])).rejects.toThrow(ShapeError);
    await expect(new IMAML(linear).metaGradient(linear.init(0), [])).rejects.toThrow(/IMAML/);
  });
});
