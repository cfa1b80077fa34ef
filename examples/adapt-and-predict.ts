/**
 * Use a trained model: meta-train MAML on sinusoid briefly, save a checkpoint (in the same
 * form `metalearn train` writes, so `metalearn eval` / `predict` read it too), load it back in
 * one call with loadLearner, adapt to a new task's 10 support points, predict its query points.
 *
 *   npx tsx examples/adapt-and-predict.ts [--iterations 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Adam, MAML, data, disposeParams, loadLearner, metaTrain, nn, ops, sinusoidTasks } from 'metalearn';
import { exampleArgs } from './exampleArgs.js';

const { iterations } = exampleArgs(300);
const dir = mkdtempSync(join(tmpdir(), 'metalearn-example-'));
try {
  const checkpointPath = join(dir, 'checkpoint.safetensors');
  const model = nn.mlp([1, 40, 40, 1]);
  const maml = new MAML(model, { innerLR: 0.01, innerSteps: 1, testInnerSteps: 10, order: 2 });
  const trained = await metaTrain({
    learner: maml,
    tasks: sinusoidTasks({ shots: 10, queries: 10 }),
    iterations,
    metaBatch: 25,
    optimizer: new Adam({ lr: 1e-3 }),
    progress: false,
    // `config` is the run description loadLearner rebuilds the model and learner from
    // (the CLI's run configuration: algorithm, dataset, and any setting that differs from the
    // dataset's defaults, here none).
    checkpoint: { path: checkpointPath, every: iterations, model: 'mlp 1-40-40-1', config: { algo: 'maml', dataset: 'sinusoid', iterations } },
  });
  disposeParams(trained.params);
  console.log(`saved ${checkpointPath} after ${iterations} meta-iterations`);

  // Later, or in another program: one call gives the learner and its trained parameters.
  const { learner, params, algorithm } = loadLearner(checkpointPath);
  const task = data.sinusoid({ seed: 1234 }).sample({ shots: 10, queries: 50 });

  const predictor = await learner.adapt(params, task.support); // 10 inner steps (the learner's test-time count)
  const prediction = predictor.predict(task.query.x); // Tensor [50, 1]
  const unadapted = await learner.adapt(params, task.support, { steps: 0 });
  const mseAfter = ops.mse(prediction, task.query.y).item();
  const mseBefore = ops.mse(unadapted.predict(task.query.x), task.query.y).item();
  console.log(`${algorithm}: predicted ${prediction.shape.join('x')} values for A=${task.amplitude.toFixed(2)}, phase=${task.phase.toFixed(2)}`);
  console.log(`MSE before adaptation: ${mseBefore.toFixed(4)}`);
  console.log(`MSE after adaptation: ${mseAfter.toFixed(4)}`);
  predictor.dispose();
  unadapted.dispose();
  disposeParams(params);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
