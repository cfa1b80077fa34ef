/**
 * Adapt, then predict, on every learner: predict(query x) gives the outputs the learner's own
 * evaluation scores (the query loss recomputed here by hand from predict's outputs equals
 * evaluateTask's loss; the argmax accuracy equals its accuracy); the MAML family's adapted
 * model equals the inner loop written out by hand; dispose frees every tensor the predictor
 * made; a disposed predictor and bad inputs give typed errors.
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { tensor } from '../../lib/core/creation.js';
import { grad } from '../../lib/core/transforms.js';
import { currentBackend } from '../../lib/backend/index.js';
import type { Tensor } from '../../lib/core/tensor.js';
import * as ops from '../../lib/ops/index.js';
import * as nn from '../../lib/nn/index.js';
import { mlp } from '../../lib/nn/mlp.js';
import { DisposedError, ShapeError, ValueError } from '../../lib/errors.js';
import { ANIL, CAVIA, IMAML, MAML, MAMLpp, MetaSGD, Reptile } from '../../lib/algorithms/index.js';
import type { Predictor } from '../../lib/algorithms/predictor.js';
import type { MetaLearner, Params, Task } from '../../lib/algorithms/types.js';
import { ProtoNet } from '../../lib/metric/index.js';
import type { MetricLearner } from '../../lib/metric/metricLearner.js';
import { learnerVariants, randomValues } from '../metric/helpers.js';

type Adaptive = MetaLearner & { adapt(params: Params, support: Task['support'], options?: { steps?: number }): Promise<Predictor> };

/** A 3-way task of 2-D points around three centres: 2 support and 3 query points per class. */
function classificationTask(seed: number, dims = 2): Task {
  const centres = [
    [2, 0],
    [-1, 2],
    [-1, -2],
  ];
  const set = (perClass: number, offset: number) => {
    const noise = randomValues(3 * perClass * dims, seed + offset);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < perClass; k++) {
        for (let d = 0; d < dims; d++) xs.push((centres[c][d] ?? 0) + 0.8 * noise[(c * perClass + k) * dims + d]);
        ys.push(c);
      }
    }
    return { x: tensor(xs, [3 * perClass, dims], 'float64'), y: Int32Array.from(ys) };
  };
  return { support: set(2, 0), query: set(3, 100) };
}

/** y = 2 sin(x - 0.5) at 10 support and 10 query points. */
function regressionTask(): Task {
  const set = (offset: number) => {
    const xs = Array.from({ length: 10 }, (_, i) => -5 + i + offset);
    return { x: tensor(xs, [10, 1], 'float64'), y: tensor(xs.map((x) => 2 * Math.sin(x - 0.5)), [10, 1], 'float64') };
  };
  return { support: set(0), query: set(0.5) };
}

/** Mean softmax cross-entropy and argmax accuracy of logits [n, c] (written out, not the library's). */
function crossEntropyAndAccuracy(logits: Tensor, labels: Int32Array): { loss: number; accuracy: number } {
  const [n, c] = logits.shape;
  const v = logits.toArray();
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(v.slice(i * c, (i + 1) * c));
    const max = Math.max(...row);
    const logSum = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    loss += (logSum - row[labels[i]]) / n;
    if (row.indexOf(max) === labels[i]) correct++;
  }
  return { loss, accuracy: correct / n };
}

function meanSquaredError(a: Tensor, b: Tensor): number {
  const x = a.toArray();
  const y = b.toArray();
  expect(a.shape).toEqual(b.shape);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] - y[i]) ** 2;
  return sum / x.length;
}

const mamlFamily = (outputs: number, inputs = 2): [string, () => Adaptive][] => [
  ['MAML', () => new MAML(mlp([inputs, 8, outputs]), { innerLR: 0.1, innerSteps: 1, testInnerSteps: 3 })],
  ['FOMAML', () => new MAML(mlp([inputs, 8, outputs]), { innerLR: 0.1, order: 1, testInnerSteps: 2 })],
  ['MetaSGD', () => new MetaSGD(mlp([inputs, 8, outputs]), { innerLR: 0.1, testInnerSteps: 2 })],
  ['ANIL', () => new ANIL(mlp([inputs, 8, outputs]), { innerLR: 0.1, testInnerSteps: 2 })],
  ['MAMLpp', () => new MAMLpp(mlp([inputs, 8, outputs]), { innerLR: 0.1, innerSteps: 2, testInnerSteps: 3 })],
  ['IMAML', () => new IMAML(mlp([inputs, 8, outputs]), { innerLR: 0.1, lambda: 0.5, testInnerSteps: 3 })],
  ['CAVIA', () => new CAVIA(mlp([inputs + 4, 8, outputs]), { innerLR: 0.5, contextSize: 4, testInnerSteps: 2 })],
  ['Reptile', () => new Reptile(mlp([inputs, 8, outputs]), { innerLR: 0.1, testInnerSteps: 3 })],
];

describeEachBackend('adapt then predict: MAML family', () => {
  for (const [label, make] of mamlFamily(3)) {
    it(`${label}: predict(query x) scores as evaluateTask and evaluateTasks do (classification)`, async () => {
      const learner = make();
      const params = learner.init(4, 'float64');
      const task = classificationTask(11);
      const predictor = await learner.adapt(params, task.support);
      const logits = predictor.predict(task.query.x);
      expect(logits.shape).toEqual([9, 3]);
      const mine = crossEntropyAndAccuracy(logits, task.query.y as Int32Array);
      const score = await learner.evaluateTask(params, task);
      const [batched] = await (learner.evaluateTasks as NonNullable<MetaLearner['evaluateTasks']>).call(learner, params, [task]);
      expect(mine.loss).toBeCloseTo(score.loss, 6);
      expect(mine.accuracy).toBe(score.accuracy);
      expect(mine.loss).toBeCloseTo(batched.loss, 6);
      expect(mine.accuracy).toBe(batched.accuracy);
      logits.dispose();
      predictor.dispose();
    });
  }

  for (const [label, make] of mamlFamily(1, 1)) {
    it(`${label}: predict gives the regression outputs evaluateTask scores, with steps overridable`, async () => {
      const learner = make();
      const params = learner.init(2, 'float64');
      const task = regressionTask();
      for (const steps of [0, 4]) {
        const predictor = await learner.adapt(params, task.support, { steps });
        const out = predictor.predict(task.query.x);
        const score = await learner.evaluateTask(params, task, { innerSteps: steps });
        expect(meanSquaredError(out, task.query.y as Tensor)).toBeCloseTo(score.loss, 9);
        predictor.dispose();
      }
    });
  }

  it('MAML: predict after adapt equals k SGD steps written out by hand', async () => {
    const model = mlp([1, 4, 1]);
    const lr = 0.05;
    const k = 3;
    const maml = new MAML(model, { innerLR: lr, testInnerSteps: k });
    const params = maml.init(7, 'float64');
    const task = regressionTask();
    let fast: Params = params;
    for (let j = 0; j < k; j++) {
      const g = grad((p) => ops.mse(model.apply(p, task.support.x), task.support.y as Tensor))(fast);
      const next: Params = {};
      for (const name of Object.keys(fast)) {
        const v = fast[name].toArray();
        const d = g[name].toArray();
        next[name] = tensor(Array.from(v, (x, i) => x - lr * d[i]), fast[name].shape, 'float64');
      }
      fast = next;
    }
    const expected = model.apply(fast, task.query.x).toArray();
    const predictor = await maml.adapt(params, task.support);
    const got = predictor.predict(task.query.x).toArray();
    expect(predictor.steps).toBe(k);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
    // Issue 4's contract: the result of adapt is also the fast weights, a Params record whose keys
    // are exactly the parameters (the predictor's members are not enumerable).
    expect(Object.keys(predictor).sort()).toEqual(Object.keys(params).sort());
    for (const name of Object.keys(fast)) {
      predictor[name].toArray().forEach((v, i) => expect(v).toBeCloseTo(fast[name].toArray()[i], 10));
    }
    model.apply(predictor, task.query.x).toArray().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
    // steps: 0 predicts with the meta-learned weights themselves.
    const unadapted = await maml.adapt(params, task.support, { steps: 0 });
    const plain = model.apply(params, task.query.x).toArray();
    unadapted.predict(task.query.x).toArray().forEach((v, i) => expect(v).toBeCloseTo(plain[i], 12));
    predictor.dispose();
    unadapted.dispose();
  });

  it('MAMLpp with per-step batch norm (conv4): predict uses the final state as evaluateTask does', async () => {
    const model = nn.conv4({ inChannels: 1, hidden: 4, outputs: 2, imageSize: 16, batchNormSteps: 2 });
    const learner = new MAMLpp(model, { innerLR: 0.1, innerSteps: 2 });
    const params = learner.init(3, 'float64');
    const image = (n: number, seed: number) => tensor(randomValues(n * 256, seed), [n, 1, 16, 16], 'float64');
    const task: Task = { support: { x: image(4, 1), y: Int32Array.of(0, 0, 1, 1) }, query: { x: image(6, 2), y: Int32Array.of(0, 0, 0, 1, 1, 1) } };
    const predictor = await learner.adapt(params, task.support);
    const mine = crossEntropyAndAccuracy(predictor.predict(task.query.x), task.query.y as Int32Array);
    const score = await learner.evaluateTask(params, task);
    expect(mine.loss).toBeCloseTo(score.loss, 6);
    expect(mine.accuracy).toBe(score.accuracy);
    predictor.dispose();
  });

  it('dispose frees what the predictor made; a disposed predictor is a DisposedError; bad x is typed', async () => {
    const maml = new MAML(mlp([2, 8, 3]), { innerLR: 0.1, testInnerSteps: 2 });
    const params = maml.init(1, 'float64');
    const task = classificationTask(3);
    (await maml.adapt(params, task.support)).dispose(); // records the loss program (kept by the learner)
    const backend = currentBackend();
    const start = backend.liveTensors();
    const predictor = await maml.adapt(params, task.support);
    const logits = predictor.predict(task.query.x);
    logits.dispose();
    expect(backend.liveTensors()).toBeGreaterThan(start);
    predictor.dispose();
    expect(backend.liveTensors()).toBe(start);
    expect(predictor.isDisposed).toBe(true);
    expect(() => predictor.predict(task.query.x)).toThrow(DisposedError);
    predictor.dispose(); // idempotent
    const again = await maml.adapt(params, task.support);
    expect(() => again.predict(tensor([1, 2, 3], [1, 3], 'float64'))).toThrow(ShapeError);
    expect(() => again.predict([[1, 2]] as unknown as Tensor)).toThrow(ValueError);
    again.dispose();
    await expect(maml.adapt(params, task.support, { steps: -1 })).rejects.toThrow(ValueError);
    await expect(maml.adapt(params, { x: [[1, 2]], y: task.support.y } as unknown as Task['support'])).rejects.toThrow(/MAML.adapt: support(\.x)? must be/);
    await expect(maml.adapt(params, { x: task.support.x, y: [0, 1] } as unknown as Task['support'])).rejects.toThrow(/support.y must be/);
  });
});

describeEachBackend('adapt then predict: metric learners', () => {
  /** Metric episodes: 3-way, 2-shot, 3 queries per class, 4-D points. */
  const metricTask = (seed: number): Task => classificationTask(seed, 4);

  for (const learner of learnerVariants() as (MetricLearner & Adaptive)[]) {
    const label = `${learner.name}${(learner as { loss?: string }).loss ? ` (${(learner as { loss?: string }).loss})` : ''}`;
    it(`${label}: predict's argmax accuracy equals evaluateTask's; scores [queries, ways]`, async () => {
      const params = learner.init(5, 'float64');
      for (const seed of [1, 2, 3]) {
        const task = metricTask(seed);
        const predictor = await learner.adapt(params, task.support);
        const scores = predictor.predict(task.query.x);
        expect(scores.shape).toEqual([9, 3]);
        const { accuracy } = crossEntropyAndAccuracy(scores, task.query.y as Int32Array);
        const score = await learner.evaluateTask(params, task);
        expect(accuracy).toBe(score.accuracy);
        predictor.dispose();
      }
    });
  }

  it('ProtoNet: predict returns the logits the evaluation scores (query loss by hand equals evaluateTask, conv4 with batch norm too)', async () => {
    const flat = new ProtoNet(mlp([4, 3]));
    const conv = new ProtoNet(nn.conv4({ inChannels: 1, hidden: 4, imageSize: 16 }));
    const image = (n: number, seed: number) => tensor(randomValues(n * 256, seed), [n, 1, 16, 16], 'float64');
    const cases: [ProtoNet, Task][] = [
      [flat, metricTask(4)],
      [conv, { support: { x: image(4, 1), y: Int32Array.of(0, 0, 1, 1) }, query: { x: image(6, 2), y: Int32Array.of(0, 1, 0, 1, 1, 0) } }],
    ];
    for (const [learner, task] of cases) {
      const params = learner.init(2, 'float64');
      const predictor = await learner.adapt(params, task.support);
      const mine = crossEntropyAndAccuracy(predictor.predict(task.query.x), task.query.y as Int32Array);
      const score = await learner.evaluateTask(params, task);
      expect(mine.loss).toBeCloseTo(score.loss, 6);
      expect(mine.accuracy).toBe(score.accuracy);
      predictor.dispose();
    }
  });

  it('dispose frees the support copy; the predictor does not depend on the caller keeping the support set', async () => {
    const learner = new ProtoNet(mlp([4, 3]));
    const params = learner.init(1, 'float64');
    const task = metricTask(9);
    const warm = await learner.adapt(params, task.support);
    warm.predict(task.query.x).dispose();
    warm.dispose();
    const backend = currentBackend();
    const start = backend.liveTensors();
    const support = { x: tensor(task.support.x.toArray(), task.support.x.shape, 'float64'), y: task.support.y };
    const predictor = await learner.adapt(params, support);
    support.x.dispose();
    const scores = predictor.predict(task.query.x);
    expect(scores.shape).toEqual([9, 3]);
    scores.dispose();
    predictor.dispose();
    expect(backend.liveTensors()).toBe(start);
    expect(() => predictor.predict(task.query.x)).toThrow(DisposedError);
  });

  it('bad support and query inputs are typed errors', async () => {
    const learner = new ProtoNet(mlp([4, 3]));
    const params = learner.init(1, 'float64');
    const task = metricTask(2);
    await expect(learner.adapt(params, { x: task.support.x, y: tensor([0, 1], [2], 'float64') })).rejects.toThrow(ValueError);
    await expect(learner.adapt(params, { x: task.support.x, y: Int32Array.of(0, 1) })).rejects.toThrow(ShapeError);
    await expect(learner.adapt(params, undefined as unknown as Task['support'])).rejects.toThrow(ValueError);
    const predictor = await learner.adapt(params, task.support);
    expect(() => predictor.predict(tensor([1, 2, 3], [1, 3], 'float64'))).toThrow(ShapeError);
    expect(() => predictor.predict(Float32Array.of(1, 2, 3, 4) as unknown as Tensor)).toThrow(/x must be a Tensor \[n, ...\], got a Float32Array/);
    predictor.dispose();
  });
});
