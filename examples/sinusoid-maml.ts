/**
 * MAML from scratch on sinusoid regression (Finn et al., 2017, section 5.1): an MLP 1-40-40-1,
 * 10 support points per task, 1 inner SGD step of 0.01 in training, second-order
 * meta-gradient, meta-batch 25, Adam 1e-3. Then the query MSE on fresh tasks before
 * adaptation and after 10 inner steps on each task's 10 support points.
 *
 *   npx tsx examples/sinusoid-maml.ts [--iterations 500]
 */
import { Adam, MAML, evaluate, getBackend, metaTrain, nn, sinusoidTasks } from 'metalearn';
import { exampleArgs } from './exampleArgs.js';

const { iterations } = exampleArgs(500);

const model = nn.mlp([1, 40, 40, 1]);
const maml = new MAML(model, { innerLR: 0.01, innerSteps: 1, testInnerSteps: 10, order: 2 });

console.log(`MAML on sinusoid, ${iterations} meta-iterations on the ${getBackend()} core`);
const started = performance.now();
const trained = await metaTrain({
  learner: maml,
  tasks: sinusoidTasks({ shots: 10, queries: 10 }),
  iterations,
  metaBatch: 25,
  optimizer: new Adam({ lr: 1e-3 }),
  seed: 0,
  progress: false,
});
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s, final meta-loss ${trained.history.at(-1)?.loss.toFixed(3)}`);

// Fresh test tasks: 10 support points to adapt on, 100 query points to score.
const testTasks = sinusoidTasks({ shots: 10, queries: 100 });
const before = await evaluate(maml, trained.params, testTasks, { episodes: 100, innerSteps: 0 });
const after = await evaluate(maml, trained.params, testTasks, { episodes: 100, innerSteps: 10 });
console.log(`MSE before adaptation: ${before.mean.toFixed(4)} +/- ${before.ci95.toFixed(4)}`);
console.log(`MSE after 10 steps: ${after.mean.toFixed(4)} +/- ${after.ci95.toFixed(4)}`);
