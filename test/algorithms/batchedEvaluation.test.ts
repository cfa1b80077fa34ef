/**
 * Batched evaluation (MetaLearner.evaluateTasks, used by lib/train/evaluate.ts): for every
 * inner-loop learner, the batched scores equal evaluateTask's task by task, bitwise (a separate
 * path: adapt() then score(), op by op), on both cores in float64 and both engines; a by-hand reference on a
 * one-weight model; the order of tasks kept across a batch of mixed shapes; MAML++ with
 * per-step batch norm in one batched call with per-step data; evaluate() giving the same result with
 * and without the batched method, one call per chunk; typed errors.
 */
import { expect, it, vi } from 'vitest';
import { record } from '../../lib/core/transforms.js';
import { describeEachBackend } from '../helpers/backends.js';
import { tensor } from '../../lib/core/creation.js';
import * as ops from '../../lib/ops/index.js';
import type { Model } from '../../lib/nn/model.js';
import { conv4 } from '../../lib/nn/index.js';
import { ANIL, CAVIA, IMAML, MAML, MAMLpp, MetaSGD, Reptile } from '../../lib/algorithms/index.js';
import type { InnerLoopLearner } from '../../lib/algorithms/innerLoopLearner.js';
import type { MetaLearner, Params, Task, TaskScore } from '../../lib/algorithms/types.js';
import { ShapeError, ValueError } from '../../lib/errors.js';
import { evaluate } from '../../lib/train/evaluate.js';
import type { TaskSource } from '../../lib/train/taskSource.js';
import { classificationTask, regressionTask, tanhMlp, uniform } from './reference.js';

type Engine = 'auto' | 'typescript';

/** One constructor per learner (and inner optimiser), with a model fitting `inputs` features and `outputs` outputs. */
function learners(inputs: number, outputs: number, engine: Engine): { name: string; make: () => InnerLoopLearner }[] {
  const mlp = tanhMlp([inputs, 6, outputs]);
  const base = { innerLR: 0.3, innerSteps: 2, testInnerSteps: 3, engine };
  return [
    { name: 'MAML', make: () => new MAML(mlp, base) },
    { name: 'FOMAML', make: () => new MAML(mlp, { ...base, order: 1 }) },
    { name: 'Meta-SGD', make: () => new MetaSGD(mlp, base) },
    { name: 'ANIL', make: () => new ANIL(mlp, base) },
    { name: 'CAVIA', make: () => new CAVIA(tanhMlp([inputs + 2, 6, outputs]), { ...base, contextSize: 2 }) },
    { name: 'MAML++', make: () => new MAMLpp(mlp, base) },
    { name: 'Reptile (SGD)', make: () => new Reptile(mlp, base) },
    { name: 'Reptile (Adam)', make: () => new Reptile(mlp, { ...base, innerOptimizer: 'adam', adamBetas: [0.5, 0.9] }) },
    { name: 'iMAML', make: () => new IMAML(mlp, { ...base, lambda: 0.7 }) },
  ];
}

/** The learner's params with learned rates made distinct per element / step, so mixing them up shows. */
function paramsOf(learner: InnerLoopLearner): Params {
  const params = learner.init(3, 'float64');
  let seed = 50;
  for (const name of Object.keys(params).filter((n) => n.startsWith('lr/'))) {
    const p = params[name];
    params[name] = tensor(
      uniform(seed++, p.size).map((v) => 0.2 + 0.1 * v),
      p.shape,
      'float64',
    );
  }
  return params;
}

/** Regression tasks of three shapes, interleaved (support 4 / query 4, 6 / 3, 4 / 4, 3 / 5, 6 / 3). */
const regressionTasks = (): Task[] => [
  regressionTask(1, 4, 4),
  regressionTask(2, 6, 3),
  regressionTask(3, 4, 4),
  regressionTask(4, 3, 5),
  regressionTask(5, 6, 3),
];

/** 3-way classification, support 6 and query 9 (two programs), and one task of another size. */
const classificationTasks = (): Task[] => [
  classificationTask(11, 6, 2, 3),
  { support: classificationTask(12, 6, 2, 3).support, query: classificationTask(13, 9, 2, 3).query },
  { support: classificationTask(14, 6, 2, 3).support, query: classificationTask(15, 9, 2, 3).query },
];

async function oneByOne(learner: MetaLearner, params: Params, tasks: Task[], innerSteps?: number): Promise<TaskScore[]> {
  const scores: TaskScore[] = [];
  for (const task of tasks) scores.push(await learner.evaluateTask(params, task, { innerSteps }));
  return scores;
}

/**
 * Bitwise equal: both paths run the same arithmetic in the same order (t - lr * g per step, the
 * query pass at t_k), the batched one inside adaptBatch (native: tasks on worker threads).
 */
function expectSameScores(batched: TaskScore[], reference: TaskScore[]): void {
  expect(batched.length).toBe(reference.length);
  batched.forEach((s, i) => {
    expect(s.loss).toBe(reference[i].loss);
    expect(s.accuracy).toBe(reference[i].accuracy);
  });
}

/** y = x w with one weight w = 0.5. */
const linear: Model = {
  init: (_seed, dtype = 'float64') => ({ w: tensor([0.5], [1, 1], dtype) }),
  apply: (p, x) => ops.matmul(x, p.w),
};

/** A MetaLearner that forwards to `learner` but has no evaluateTasks (evaluate's per-task loop). */
function withoutBatching(learner: MetaLearner): MetaLearner {
  return {
    name: learner.name,
    init: (seed, dtype) => learner.init(seed, dtype),
    metaGradient: (params, tasks) => learner.metaGradient(params, tasks),
    evaluateTask: (params, task, options) => learner.evaluateTask(params, task, options),
  };
}

/** A task source over seeded regression tasks of two shapes (the count decides nothing else). */
function mixedSource(): TaskSource {
  return {
    kind: 'regression',
    description: 'test regression, two shapes',
    sample: (seed, count) => Array.from({ length: count }, (_, i) => regressionTask((seed % 1000) + 7 * i, i % 3 === 0 ? 3 : 5, 4)),
  };
}

describeEachBackend('batched evaluation (evaluateTasks)', (backend) => {
  for (const engine of ['auto', 'typescript'] as const) {
    it(`every inner-loop learner: regression scores equal evaluateTask's, in task order (engine '${engine}')`, async () => {
      for (const { name, make } of learners(1, 1, engine)) {
        const learner = make();
        const params = paramsOf(learner);
        const tasks = regressionTasks();
        for (const innerSteps of [undefined, 0, 1]) {
          const batched = await learner.evaluateTasks(params, tasks, { innerSteps });
          const reference = await oneByOne(learner, params, tasks, innerSteps);
          expect(reference.every((s) => Number.isFinite(s.loss)), name).toBe(true);
          expectSameScores(batched, reference);
        }
      }
    });
  }

  it('every inner-loop learner: classification loss and accuracy equal evaluateTask (support and query of different sizes)', async () => {
    for (const { name, make } of learners(2, 3, 'auto')) {
      const learner = make();
      const params = paramsOf(learner);
      const tasks = classificationTasks();
      const batched = await learner.evaluateTasks(params, tasks);
      const reference = await oneByOne(learner, params, tasks);
      expect(reference.every((s) => s.accuracy !== undefined), name).toBe(true);
      expectSameScores(batched, reference);
    }
  });

  it('MAML by hand on y = x w: k steps of gradient descent on the support, then the query MSE, per task', async () => {
    const sets = [
      { sx: [1, 2, -1], sy: [2, 3, -1], qx: [0.5, -2], qy: [1, -3] },
      { sx: [0.3, -1.5, 2.5, 1], sy: [-0.2, 1, -2, 0], qx: [1, 1.5, -1], qy: [-0.5, -1, 0.4] },
    ];
    const mse = (w: number, x: number[], y: number[]) => x.reduce((a, xi, i) => a + (xi * w - y[i]) ** 2, 0) / x.length;
    const dmse = (w: number, x: number[], y: number[]) => (2 * x.reduce((a, xi, i) => a + xi * (xi * w - y[i]), 0)) / x.length;
    const [lr, steps] = [0.1, 3];
    const expected = sets.map((s) => {
      let w = 0.5;
      for (let j = 0; j < steps; j++) w -= lr * dmse(w, s.sx, s.sy);
      return mse(w, s.qx, s.qy);
    });
    const tasks: Task[] = sets.map((s) => ({
      support: { x: tensor(s.sx, [s.sx.length, 1], 'float64'), y: tensor(s.sy, [s.sy.length, 1], 'float64') },
      query: { x: tensor(s.qx, [s.qx.length, 1], 'float64'), y: tensor(s.qy, [s.qy.length, 1], 'float64') },
    }));
    const scores = await new MAML(linear, { innerLR: lr, innerSteps: 1, testInnerSteps: steps }).evaluateTasks(linear.init(0), tasks);
    scores.forEach((s, i) => expect(s.loss).toBeCloseTo(expected[i], 13));
    expect(scores[0].accuracy).toBeUndefined();
  });

  it('MAML++ with per-step batch norm: one batched call with per-step data, equal to evaluateTask (both engines, batch and running statistics)', async () => {
    const model = conv4({ inChannels: 1, hidden: 2, outputs: 2, imageSize: 16, batchNormSteps: 2 });
    const image = (seed: number, n: number) => ({
      x: tensor(uniform(seed, n * 256).map((v) => (v + 1) / 2), [n, 1, 16, 16], 'float64'),
      y: Int32Array.from({ length: n }, (_, i) => i % 2),
    });
    // Two shapes: support 2 / query 4 (two programs) and support 4 / query 4 (one).
    const tasks = [
      { support: image(1, 2), query: image(11, 4) },
      { support: image(2, 4), query: image(12, 4) },
      { support: image(3, 2), query: image(13, 4) },
    ];
    for (const engine of ['auto', 'typescript'] as const) {
      for (const batchNormStatistics of ['batch', 'running'] as const) {
        const learner = new MAMLpp(model, { innerLR: 0.2, innerSteps: 2, testInnerSteps: 3, engine, batchNormStatistics });
        const params = learner.init(4, 'float64');
        const reference = await oneByOne(learner, params, tasks);
        // On the native core, count the native engine's calls: one per task shape with engine 'auto'.
        const compiled = record((p: Params) => ops.sum(p.w), { w: params['head.weight'] });
        const prototype = Object.getPrototypeOf(compiled.compiled) as { adaptBatch?: () => unknown };
        const spy = backend === 'native' ? vi.spyOn(prototype as { adaptBatch: () => unknown }, 'adaptBatch') : undefined;
        const batched = await learner.evaluateTasks(params, tasks);
        if (spy) expect(spy.mock.calls.length, `${engine} ${batchNormStatistics}: native engine calls`).toBe(engine === 'auto' ? 2 : 0);
        spy?.mockRestore();
        compiled.dispose();
        expectSameScores(batched, reference);
      }
    }
  });

  it('an empty batch gives no scores; bad steps and bad task shapes give typed errors', async () => {
    const learner = new MAML(tanhMlp([1, 6, 1]), { innerLR: 0.1 });
    const params = learner.init(1, 'float64');
    expect(await learner.evaluateTasks(params, [])).toEqual([]);
    await expect(learner.evaluateTasks(params, regressionTasks(), { innerSteps: -1 })).rejects.toThrow(ValueError);
    await expect(learner.evaluateTasks(params, regressionTasks(), { innerSteps: 1.5 })).rejects.toThrow(/innerSteps must be an integer >= 0, got 1.5/);
    const task = regressionTask(9, 4, 4);
    const mismatched: Task = { support: { x: task.support.x, y: regressionTask(9, 3, 3).support.y }, query: task.query };
    await expect(learner.evaluateTasks(params, [task, mismatched])).rejects.toThrow(ShapeError);
  });

  it(`evaluate(): the same result with and without evaluateTasks, one batched call per chunk, progress per episode [${backend}]`, async () => {
    const learner = new MAML(tanhMlp([1, 6, 1]), { innerLR: 0.2, innerSteps: 1, testInnerSteps: 2 });
    const params = learner.init(2, 'float64');
    const chunkSizes: number[] = [];
    const batchedCalls = learner.evaluateTasks.bind(learner);
    learner.evaluateTasks = async (p, tasks, options) => {
      chunkSizes.push(tasks.length);
      return batchedCalls(p, tasks, options);
    };
    const progress: number[] = [];
    const options = { episodes: 30, seed: 4, innerSteps: 3 };
    const batched = await evaluate(learner, params, mixedSource(), { ...options, onEpisode: (done, total) => progress.push(done * 100 + total) });
    const reference = await evaluate(withoutBatching(learner), params, mixedSource(), options);
    expect(chunkSizes).toEqual([25, 5]);
    expect(progress).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 100 + 30));
    expect(batched.n).toBe(30);
    expect(batched.mean).toBe(reference.mean);
    expect(batched.ci95).toBe(reference.ci95);
    expect(batched.mean).toBeGreaterThan(0);
    expect(batched.metric).toBe('mse');
  });

  it('evaluate() refuses a learner whose evaluateTasks returns the wrong number of scores', async () => {
    const learner = new MAML(tanhMlp([1, 6, 1]), { innerLR: 0.2 });
    learner.evaluateTasks = async () => [{ loss: 1 }];
    const evaluation = evaluate(learner, learner.init(2, 'float64'), mixedSource(), { episodes: 3 });
    await expect(evaluation).rejects.toThrow(ValueError);
    await expect(evaluation).rejects.toThrow(/learner 'maml' returned 1 scores for 3 tasks/);
  });
});
