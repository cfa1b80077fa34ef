/**
 * Bring your own model and tasks. A model is any { init(seed, dtype) -> Params,
 * apply(params, x) -> Tensor } built from metalearn's differentiable ops; a task source is any
 * { kind, description, sample(seed, count) -> Task[] } whose tasks are { support, query } sets.
 * MAML then meta-trains the model on the tasks exactly as it does the built-in ones.
 *
 * Here: quadratic regression tasks y = a x^2 + b x + c (a, b, c drawn per task) and a 2-layer
 * tanh network with a linear skip connection.
 *
 *   npx tsx examples/custom-model-and-sampler.ts [--iterations 300]
 */
import {
  Adam,
  MAML,
  Random,
  evaluate,
  metaTrain,
  nn,
  ops,
  tensor,
  type DType,
  type Params,
  type Task,
  type TaskSource,
  type Tensor,
} from 'metalearn';
import { exampleArgs } from './exampleArgs.js';

const HIDDEN = 32;

/** x [n, 1] -> tanh(x W1^T + b1) W2^T + b2 + x S^T, shape [n, 1]. */
const tanhWithSkip: nn.Model = {
  init(seed: number, dtype: DType = 'float32'): Params {
    const rng = new Random(seed);
    const hidden = nn.fanInUniform(rng, [HIDDEN, 1], dtype);
    const out = nn.fanInUniform(rng, [1, HIDDEN], dtype);
    const skip = nn.fanInUniform(rng, [1, 1], dtype);
    skip.bias.dispose(); // the skip is a plain linear term: its bias would duplicate out.bias
    return { 'hidden.weight': hidden.weight, 'hidden.bias': hidden.bias, 'out.weight': out.weight, 'out.bias': out.bias, 'skip.weight': skip.weight };
  },
  apply(p: Params, x: Tensor): Tensor {
    const h = ops.tanh(ops.linear(x, p['hidden.weight'], p['hidden.bias']));
    return ops.add(ops.linear(h, p['out.weight'], p['out.bias']), ops.linear(x, p['skip.weight']));
  },
};

/** Quadratic tasks; the tasks of a seed are always the same (metaTrain relies on it for resuming). */
function quadraticTasks(shots: number, queries: number): TaskSource {
  const points = (rng: Random, n: number, a: number, b: number, c: number) => {
    const xs = Array.from({ length: n }, () => rng.uniform(-2, 2));
    return { x: tensor(xs, [n, 1]), y: tensor(xs.map((x) => a * x * x + b * x + c), [n, 1]) };
  };
  return {
    kind: 'regression',
    description: `quadratic ${shots}-shot ${queries}-query`,
    sample(seed: number, count: number): Task[] {
      const rng = new Random(seed);
      return Array.from({ length: count }, () => {
        const [a, b, c] = [rng.uniform(-1, 1), rng.uniform(-2, 2), rng.uniform(-1, 1)];
        return { support: points(rng, shots, a, b, c), query: points(rng, queries, a, b, c) };
      });
    },
  };
}

const { iterations } = exampleArgs(300);
const maml = new MAML(tanhWithSkip, { innerLR: 0.05, innerSteps: 1, testInnerSteps: 5, order: 2 });
const trained = await metaTrain({
  learner: maml,
  tasks: quadraticTasks(10, 10),
  iterations,
  metaBatch: 16,
  optimizer: new Adam({ lr: 3e-3 }),
  progress: false,
});
const testTasks = quadraticTasks(10, 50);
const before = await evaluate(maml, trained.params, testTasks, { episodes: 100, innerSteps: 0 });
const after = await evaluate(maml, trained.params, testTasks, { episodes: 100 });
console.log(`custom model on custom tasks, ${iterations} MAML meta-iterations`);
console.log(`MSE before adaptation: ${before.mean.toFixed(4)} +/- ${before.ci95.toFixed(4)}`);
console.log(`MSE after 5 steps: ${after.mean.toFixed(4)} +/- ${after.ci95.toFixed(4)}`);
