// A small valid checkpoint (MLP 1-2 weights, Adam state) shared by the checkpoint tests.
import type { Checkpoint } from '../../lib/train/checkpoint.js';

export function sampleCheckpoint(iteration = 7): Checkpoint {
  return {
    params: {
      'layer0.weight': { dtype: 'float32', shape: [2, 1], data: Float32Array.from([0.25, -1.5]) },
      'layer0.bias': { dtype: 'float32', shape: [2], data: Float32Array.from([0, 3]) },
    },
    optimizer: {
      kind: 'adam',
      step: iteration,
      hyper: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      slots: {
        m: { 'layer0.weight': { dtype: 'float64', shape: [2, 1], data: Float64Array.from([0.1, 0.2]) } },
        v: { 'layer0.weight': { dtype: 'float64', shape: [2, 1], data: Float64Array.from([0.01, 0.04]) } },
      },
    },
    iteration,
    seed: 42,
    learner: 'maml',
    model: 'mlp 1-2',
    config: { innerLR: 0.01, dataset: 'sinusoid' },
    rng: { stream: 'counter' },
  };
}
