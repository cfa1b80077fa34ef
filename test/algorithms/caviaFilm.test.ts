/**
 * CAVIA on images: the context vector drives a FiLM layer inside nn.conv4 (film option).
 * - FiLM forward checked against an independent construction: scaling/shifting after batch norm
 *   equals a plain conv4 whose batch-norm weight and bias absorb the FiLM scale and shift.
 * - The exact meta-gradient of the shared weights (conv, batch norm, FiLM map, head) through
 *   the context's inner loop equals central finite differences of the unrolled loop (float64).
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { tensor } from '../../lib/core/creation.js';
import type { Params } from '../../lib/core/params.js';
import * as ops from '../../lib/ops/index.js';
import { conv4 } from '../../lib/nn/conv4.js';
import { CAVIA, contextModel } from '../../lib/algorithms/index.js';
import type { Task } from '../../lib/algorithms/types.js';
import { ShapeError, ValueError } from '../../lib/errors.js';
import { grad } from '../../lib/core/transforms.js';
import type { Tensor } from '../../lib/core/tensor.js';
import { finiteDifferences, maxAbs, maxAbsDifference, uniform } from './reference.js';

const SIZE = 16;

function imageTask(seed: number, n: number, classes: number): Task {
  const set = (s: number) => ({
    x: tensor(uniform(s, n * SIZE * SIZE), [n, 1, SIZE, SIZE], 'float64'),
    y: Int32Array.from({ length: n }, (_, i) => i % classes),
  });
  return { support: set(seed), query: set(seed + 77) };
}

describeEachBackend('CAVIA with a FiLM-conditioned conv4', (backend) => {
  it('FiLM after block b equals batch norm with the scale and shift folded into its weight and bias', () => {
    const film = conv4({ inChannels: 1, hidden: 3, outputs: 2, imageSize: SIZE, film: { contextSize: 2, block: 1 } });
    const plain = conv4({ inChannels: 1, hidden: 3, outputs: 2, imageSize: SIZE });
    const params = film.init(3, 'float64');
    params['film.weight'] = tensor(uniform(5, 12), [6, 2], 'float64');
    params['film.bias'] = tensor(uniform(6, 6), [6], 'float64');
    const context = [0.7, -0.4];
    // [g; b] = W c + bias, computed here by hand.
    const W = Array.from(params['film.weight'].toArray());
    const B = Array.from(params['film.bias'].toArray());
    const gb = B.map((v, r) => v + W[2 * r] * context[0] + W[2 * r + 1] * context[1]);
    const gamma = Array.from(params['block1.bn.weight'].toArray());
    const beta = Array.from(params['block1.bn.bias'].toArray());
    const folded: Params = { ...params };
    delete folded['film.weight'];
    delete folded['film.bias'];
    folded['block1.bn.weight'] = tensor(gamma.map((w, c) => w * (1 + gb[c])), [3], 'float64');
    folded['block1.bn.bias'] = tensor(beta.map((b, c) => b * (1 + gb[c]) + gb[3 + c]), [3], 'float64');
    const x = tensor(uniform(9, 4 * SIZE * SIZE), [4, 1, SIZE, SIZE], 'float64');
    const withFilm = film.apply({ ...params, context: tensor(context, [2], 'float64') }, x).toArray();
    const reference = plain.apply(folded, x).toArray();
    for (let i = 0; i < reference.length; i++) expect(withFilm[i]).toBeCloseTo(reference[i], 10);
    expect(film.filmContextSize).toBe(2);
  });

  it('the meta-gradient of the shared weights equals finite differences of the unrolled loop, k = 2', async () => {
    const model = conv4({ inChannels: 1, hidden: 2, outputs: 2, imageSize: SIZE, film: { contextSize: 3, block: 2 } });
    const cavia = new CAVIA(model, { engine: 'typescript', innerLR: 0.7, innerSteps: 2, contextSize: 3 });
    const params = cavia.init(11, 'float64');
    params['film.bias'] = tensor(uniform(12, 4).map((v) => 0.3 * v), [4], 'float64');
    const tasks = [imageTask(21, 4, 2), imageTask(22, 4, 2)];
    const { loss, grads } = await cavia.metaGradient(params, tasks);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(params).sort());
    const gradOf = (f: (c: Tensor) => Tensor, c: Tensor): Tensor => grad((q: Params) => f(q.c))({ c }).c;

    // Independent reference: the inner loop on the context unrolled with plain gradients.
    const wrapped = contextModel(model, 3);
    const objective = (p: Params): number => {
      let total = 0;
      for (const task of tasks) {
        let context = tensor([0, 0, 0], [3], 'float64');
        const supportLoss = (c: Tensor): Tensor => ops.crossEntropy(wrapped.apply({ ...p, context: c }, task.support.x), task.support.y as Int32Array);
        for (let j = 0; j < 2; j++) {
          context = ops.sub(context, ops.mul(0.7, gradOf(supportLoss, context)));
        }
        total += ops.crossEntropy(wrapped.apply({ ...p, context }, task.query.x), task.query.y as Int32Array).item();
      }
      return total / tasks.length;
    };
    expect(loss).toBeCloseTo(objective(params), 9);
    const fd = finiteDifferences(objective, params);
    const diff = maxAbsDifference(grads, fd);
    console.log(`[${backend}] CAVIA FiLM conv4 k=2: max |engine - fd| = ${diff.toExponential(2)} (max |grad| ${maxAbs(fd).toExponential(2)})`);
    expect(diff).toBeLessThanOrEqual(1e-6 * Math.max(1, maxAbs(fd)));
    expect(maxAbs({ film: fd['film.weight'] })).toBeGreaterThan(1e-4); // the FiLM map really gets a meta-gradient
  });

  it('typed errors: no FiLM layer for image inputs, bad film options', () => {
    const plain = conv4({ inChannels: 1, hidden: 2, outputs: 2, imageSize: SIZE });
    const wrapped = contextModel(plain, 3);
    const p = { ...plain.init(0, 'float64'), context: tensor([0, 0, 0], [3], 'float64') };
    expect(() => wrapped.apply(p, tensor(uniform(1, SIZE * SIZE), [1, 1, SIZE, SIZE], 'float64'))).toThrow(ShapeError);
    expect(() => conv4({ inChannels: 1, hidden: 2, imageSize: SIZE, film: { contextSize: 0 } })).toThrow(ValueError);
    expect(() => conv4({ inChannels: 1, hidden: 2, imageSize: SIZE, film: { contextSize: 2, block: 4 } })).toThrow(ValueError);
  });
});
