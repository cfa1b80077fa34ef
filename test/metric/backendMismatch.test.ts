/**
 * A learner runs on the backend that owns its params and episode, not on the current backend
 * (as every op in lib/core does): params and episodes made on one core still train and evaluate
 * after setBackend() chose the other, with the same numbers. Params and episode on two different
 * cores are a BackendError naming both. Needs both cores, so it skips where native is absent.
 */
import { afterEach, expect, it } from 'vitest';
import { currentBackend, nativeAvailable, setBackend, type BackendName } from '../../lib/backend/index.js';
import { tensor } from '../../lib/core/creation.js';
import { BackendError } from '../../lib/errors.js';
import * as nn from '../../lib/nn/index.js';
import type { Params } from '../../lib/algorithms/types.js';
import { ProtoNet, type Episode } from '../../lib/metric/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { learnerVariants, randomValues } from './helpers.js';

const native = nativeAvailable();
const needsBothCores = native.ok ? '' : ` (skipped: native binary not built: ${native.reason})`;


/** A 3-way episode (2, 1, 2 supports) of 4-D inputs on the current backend. */
function episode(): Episode {
  return {
    support: { x: tensor(randomValues(20, 7), [5, 4], 'float64'), y: Int32Array.from([0, 0, 1, 2, 2]) },
    query: { x: tensor(randomValues(16, 8), [4, 4], 'float64'), y: Int32Array.from([2, 0, 1, 1]) },
  };
}

const other = (name: BackendName): BackendName => (name === 'js' ? 'native' : 'js');
const arrays = (params: Params) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v.toArray())]));

describeEachBackend('metric learners follow the backend of their tensors', (owner) => {
  afterEach(() => setBackend(owner));

  it.skipIf(!native.ok)(`params and episode on ${owner}, current backend ${other(owner)}: same loss, accuracy and gradient, on ${owner}${needsBothCores}`, async () => {
    for (const learner of learnerVariants()) {
      const params = learner.init(1, 'float64');
      const task = episode();
      const reference = await learner.lossAndGrad(params, task);
      const referenceEval = await learner.evaluateTask(params, task);

      setBackend(other(owner));
      const moved = await learner.lossAndGrad(params, task);
      const movedEval = await learner.evaluateTask(params, task);
      const meta = await learner.metaGradient(params, [task, task]);
      setBackend(owner);

      expect(moved.loss, learner.name).toBe(reference.loss);
      expect(moved.accuracy).toBe(reference.accuracy);
      expect(arrays(moved.grads)).toEqual(arrays(reference.grads));
      for (const g of Object.values(moved.grads)) expect(g.backend.name).toBe(owner);
      expect(movedEval).toEqual(referenceEval);
      expect(meta.loss).toBeCloseTo(reference.loss, 12);
      for (const g of Object.values(meta.grads)) expect(g.backend.name).toBe(owner);
    }
  });

  it.skipIf(!native.ok)(`params on ${owner} and an episode on ${other(owner)}: BackendError naming both backends${needsBothCores}`, async () => {
    const proto = new ProtoNet(nn.mlp([4, 3]));
    const params = proto.init(1, 'float64');
    setBackend(other(owner));
    const foreign = episode();
    expect(currentBackend().name).toBe(other(owner));
    const message = new RegExp(`protonet: parameter '\\S+' lives on the ${owner} backend but the episode's support x on the ${other(owner)} backend`);
    await expect(proto.lossAndGrad(params, foreign)).rejects.toThrow(BackendError);
    await expect(proto.lossAndGrad(params, foreign)).rejects.toThrow(message);
    await expect(proto.evaluateTask(params, foreign)).rejects.toThrow(message);
  });
});
