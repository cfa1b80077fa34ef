/**
 * Benchmark cases for the TensorFlow.js baseline: one MAML meta-iteration on the sinusoid MLP
 * or the Omniglot conv4 net, on tfjs's 'cpu' or 'wasm' backend, on the shared workloads.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase } from '../harness.js';
import type { ImageTask, SinusoidTask } from '../workloads.js';
import { tfConv4, tfInitParams, tfMlp } from './tfjs-models.js';
import { crossEntropyLoss, mseLoss, tfImageTasks, tfMamlMetaGradient, tfSinusoidTasks, type TfMamlOptions } from './tfjs-maml.js';
import { useTfjsBackend, type TfjsBackendName } from './tfjs-setup.js';

/** Switches backend only when needed: a tensor used on another backend is moved, which would distort timings. */
async function ensureBackend(name: TfjsBackendName): Promise<void> {
  if (tf.getBackend() !== name) await useTfjsBackend(name);
}

export async function tfjsSinusoidMamlCase(
  name: string,
  backend: TfjsBackendName,
  batch: SinusoidTask[],
  options: TfMamlOptions,
): Promise<BenchCase> {
  await ensureBackend(backend);
  const model = tfMlp([1, 40, 40, 1]);
  const params = tfInitParams(model, 1);
  const tasks = tfSinusoidTasks(batch);
  return {
    name,
    fn: async () => {
      await ensureBackend(backend);
      tf.dispose(tfMamlMetaGradient(model, mseLoss, params, tasks, options).grads);
    },
  };
}

export async function tfjsConv4MamlCase(
  name: string,
  backend: TfjsBackendName,
  batch: ImageTask[],
  ways: number,
  options: TfMamlOptions,
): Promise<BenchCase> {
  await ensureBackend(backend);
  const size = batch[0].support.size;
  const model = tfConv4(batch[0].support.channels, 64, ways, size);
  const params = tfInitParams(model, 1);
  const tasks = tfImageTasks(batch, ways);
  return {
    name,
    fn: async () => {
      await ensureBackend(backend);
      tf.dispose(tfMamlMetaGradient(model, crossEntropyLoss, params, tasks, options).grads);
    },
  };
}
