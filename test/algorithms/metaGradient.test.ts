/**
 * The exact meta-gradients of the MAML family against central finite differences of the
 * whole inner loop, unrolled in the test with plain grad() calls (reference.ts).
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { tensor } from '../../lib/core/creation.js';
import type { Params } from '../../lib/core/params.js';
import { ANIL, CAVIA, MAML, MAMLpp, MetaSGD, contextModel, stepRateName } from '../../lib/algorithms/index.js';
import {
  classificationTask,
  finiteDifferences,
  maxAbs,
  maxAbsDifference,
  regressionTask,
  tanhMlp,
  uniform,
  unrolledObjective,
} from './reference.js';

const TOLERANCE = 1e-6;

/** Asserts |engine - fd| <= TOLERANCE * max(1, |fd|max) and reports the difference. */
function expectMatches(label: string, engine: Params, fd: Record<string, Float64Array>): void {
  const diff = maxAbsDifference(engine, fd);
  console.log(`${label}: max |engine - finite differences| = ${diff.toExponential(2)} (max |grad| ${maxAbs(fd).toExponential(2)})`);
  expect(diff).toBeLessThanOrEqual(TOLERANCE * Math.max(1, maxAbs(fd)));
}

describeEachBackend('MAML meta-gradient vs finite differences of the unrolled inner loop', (backend) => {
  const model = tanhMlp([1, 4, 4, 1]);
  // The TypeScript engine over each backend's compiled programs; the native engine is compared with it in engines.test.ts.
  const engine = 'typescript' as const;

  for (const steps of [1, 2, 5]) {
    it(`second order, k = ${steps}, scalar inner rate, 2 tasks`, async () => {
      const params = model.init(1, 'float64');
      const tasks = [regressionTask(3), regressionTask(4)];
      const maml = new MAML(model, { engine, innerLR: 0.1, innerSteps: steps, order: 2 });
      const { loss, grads } = await maml.metaGradient(params, tasks);
      const objective = (p: Params) => unrolledObjective(model, p, tasks, steps, () => 0.1);
      expect(loss).toBeCloseTo(objective(params), 10);
      expectMatches(`[${backend}] MAML k=${steps}`, grads, finiteDifferences(objective, params));
    });
  }

  it('support and query sets of different sizes (two recorded programs)', async () => {
    const params = model.init(2, 'float64');
    const tasks = [regressionTask(5, 3, 7)];
    const maml = new MAML(model, { engine, innerLR: 0.2, innerSteps: 2 });
    const { grads } = await maml.metaGradient(params, tasks);
    const objective = (p: Params) => unrolledObjective(model, p, tasks, 2, () => 0.2);
    expectMatches(`[${backend}] MAML support 3 / query 7`, grads, finiteDifferences(objective, params));
  });

  it('tiny classification net (crossEntropy on class ids), k = 2', async () => {
    const net = tanhMlp([2, 3, 3]);
    const params = net.init(4, 'float64');
    const tasks = [classificationTask(6, 6, 2, 3), classificationTask(7, 6, 2, 3)];
    const maml = new MAML(net, { engine, innerLR: 0.5, innerSteps: 2 });
    const { loss, grads, accuracy } = await maml.metaGradient(params, tasks);
    const objective = (p: Params) => unrolledObjective(net, p, tasks, 2, () => 0.5);
    expect(loss).toBeCloseTo(objective(params), 10);
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    expectMatches(`[${backend}] MAML classification k=2`, grads, finiteDifferences(objective, params));
  });

  it('Meta-SGD: per-parameter learned rates, and their gradient', async () => {
    const metaSGD = new MetaSGD(model, { engine, innerLR: 0.1, innerSteps: 2 });
    const params = metaSGD.init(3, 'float64');
    // Distinct rates per element so a wrong broadcast or reduction would show.
    for (const name of Object.keys(params).filter((n) => n.startsWith('lr/'))) {
      const p = params[name];
      params[name] = tensor(uniform(p.size, p.size).map((u) => 0.1 + 0.05 * u), p.shape, 'float64');
    }
    const tasks = [regressionTask(8), regressionTask(9)];
    const { grads } = await metaSGD.metaGradient(params, tasks);
    const weights = Object.keys(params).filter((n) => !n.startsWith('lr/'));
    const objective = (p: Params) => {
      const w: Params = Object.fromEntries(weights.map((n) => [n, p[n]]));
      return unrolledObjective(model, w, tasks, 2, (_, name) => p[`lr/${name}`]);
    };
    expectMatches(`[${backend}] Meta-SGD (weights and rates)`, grads, finiteDifferences(objective, params));
  });

  it("MAML++: multi-step loss with annealed weights and learned per-step rates, k = 3", async () => {
    const mamlpp = new MAMLpp(model, { engine, innerLR: 0.1, innerSteps: 3, multiStepLossIterations: 10 });
    mamlpp.setIteration(4);
    const { stepWeights, order } = mamlpp.currentSchedule();
    expect(order).toBe(2);
    expect(stepWeights[0]).toBe(0);
    expect(stepWeights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const params = mamlpp.init(5, 'float64');
    for (let j = 0; j < 3; j++) {
      for (const name of Object.keys(model.init(5, 'float64'))) params[stepRateName(name, j)] = tensor([0.05 + 0.03 * j + 0.01 * name.length % 3], [], 'float64');
    }
    const tasks = [regressionTask(10), regressionTask(11)];
    const { grads, loss } = await mamlpp.metaGradient(params, tasks);
    const weights = Object.keys(params).filter((n) => !n.startsWith('lr/'));
    const objective = (p: Params) => {
      const w: Params = Object.fromEntries(weights.map((n) => [n, p[n]]));
      return unrolledObjective(model, w, tasks, 3, (j, name) => p[stepRateName(name, j)], stepWeights);
    };
    expect(loss).toBeCloseTo(objective(params), 10);
    expectMatches(`[${backend}] MAML++ k=3`, grads, finiteDifferences(objective, params));
  });

  it('ANIL: only the head adapts; the body still gets its exact meta-gradient', async () => {
    const anil = new ANIL(model, { engine, innerLR: 0.3, innerSteps: 2 });
    const params = model.init(6, 'float64');
    const tasks = [regressionTask(12)];
    const { grads } = await anil.metaGradient(params, tasks);
    const isHead = (name: string) => name.startsWith('layer2.');
    const objective = (p: Params) => unrolledObjective(model, p, tasks, 2, (_, name) => (isHead(name) ? 0.3 : 0));
    const fd = finiteDifferences(objective, params);
    expectMatches(`[${backend}] ANIL k=2`, grads, fd);
    expect(maxAbs({ body: fd['layer0.weight'] })).toBeGreaterThan(1e-4);
  });

  it('CAVIA: the shared weights through the context inner loop, k = 2', async () => {
    const base = tanhMlp([1 + 2, 4, 1]);
    const cavia = new CAVIA(base, { engine, innerLR: 0.5, innerSteps: 2, contextSize: 2 });
    const params = cavia.init(7, 'float64');
    expect(Object.keys(params)).not.toContain('context');
    const tasks = [regressionTask(13), regressionTask(14)];
    const { grads } = await cavia.metaGradient(params, tasks);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(params).sort());
    const wrapped = contextModel(base, 2);
    const objective = (p: Params) =>
      unrolledObjective(wrapped, { ...p, context: tensor([0, 0], [2], 'float64') }, tasks, 2, (_, name) => (name === 'context' ? 0.5 : 0));
    expectMatches(`[${backend}] CAVIA k=2`, grads, finiteDifferences(objective, params));
  });
});
