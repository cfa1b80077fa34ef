/**
 * The TensorFlow.js baseline: one MAML meta-iteration, second order by nested tf.grads (the
 * inner update lives inside the function the outer gradient differentiates, so tfjs keeps
 * the whole unrolled graph), exactly what a TS user would write instead of metalearn.
 *
 * Run alone (`npx tsx bench/baselines/tfjs-maml.ts`) for a sanity check: the second-order
 * meta-gradient against central finite differences of the whole inner loop on a tiny case.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import type { ImageSet, ImageTask, RegressionSet, SinusoidTask } from '../workloads.js';
import { imageMetaBatch, randomNormalArray, sinusoidMetaBatch } from '../workloads.js';
import { tfConv4, tfMlp, tfInitParams, type TfModel } from './tfjs-models.js';
import { useTfjsBackend, type TfjsBackendName } from './tfjs-setup.js';

/** A task's data as tfjs tensors; y is [n, 1] targets (regression) or [n, ways] one-hot (classification). */
export interface TfTask {
  support: { x: tf.Tensor; y: tf.Tensor };
  query: { x: tf.Tensor; y: tf.Tensor };
}

export type TfLoss = (prediction: tf.Tensor, target: tf.Tensor) => tf.Scalar;

export const mseLoss: TfLoss = (prediction, target) => tf.mean(tf.square(tf.sub(prediction, target)));

/** Mean softmax cross-entropy against one-hot targets, log-softmax written out (second-order safe). */
export const crossEntropyLoss: TfLoss = (logits, oneHot) => {
  // Subtracting the row max changes no value nor gradient (log-softmax is shift-invariant).
  const shifted = tf.sub(logits, tf.max(logits, -1, true));
  const logProbs = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
  return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, oneHot), -1))) as tf.Scalar;
};

export interface TfMamlOptions {
  innerLR: number;
  innerSteps: number;
  /** 2: exact (nested tf.grads); 1: first-order (inner gradients treated as constants). */
  order: 1 | 2;
}

/** Identity with a zero gradient (tfjs has no stopGradient op). */
const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/** The adapted parameters after `innerSteps` SGD steps on the support set. */
function adapt(model: TfModel, loss: TfLoss, params: tf.Tensor[], task: TfTask, options: TfMamlOptions): tf.Tensor[] {
  let fast = params;
  for (let step = 0; step < options.innerSteps; step++) {
    const supportLoss = (...p: tf.Tensor[]) => loss(model.apply(p, task.support.x), task.support.y);
    const grads = tf.grads(supportLoss)(fast);
    const inner = options.order === 2 ? grads : grads.map((g) => stopGradient(g));
    fast = fast.map((p, i) => tf.sub(p, tf.mul(options.innerLR, inner[i])));
  }
  return fast;
}

/** Mean over tasks of L_query(adapted params), and its exact gradient w.r.t. params. */
export function tfMamlMetaGradient(
  model: TfModel,
  loss: TfLoss,
  params: tf.Tensor[],
  tasks: TfTask[],
  options: TfMamlOptions,
): { loss: number; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const metaLoss = (...p: tf.Tensor[]): tf.Scalar => {
      const perTask = tasks.map((task) => loss(model.apply(adapt(model, loss, p, task, options), task.query.x), task.query.y));
      return tf.div(tf.addN(perTask), tasks.length);
    };
    const { value, grads } = tf.valueAndGrads(metaLoss)(params);
    return { loss: value.dataSync()[0], grads: grads.map((g) => tf.keep(g)) };
  });
}

/** The value only, for finite differences. */
export function tfMamlMetaLoss(model: TfModel, loss: TfLoss, params: tf.Tensor[], tasks: TfTask[], options: TfMamlOptions): number {
  return tf.tidy(() => {
    let total = 0;
    for (const task of tasks) {
      const fast = adapt(model, loss, params, task, options);
      total += loss(model.apply(fast, task.query.x), task.query.y).dataSync()[0];
    }
    return total / tasks.length;
  });
}

function regressionTensors(set: RegressionSet): { x: tf.Tensor; y: tf.Tensor } {
  return { x: tf.tensor2d(set.x, [set.n, 1]), y: tf.tensor2d(set.y, [set.n, 1]) };
}

/** NCHW images -> NHWC tensor; integer labels -> one-hot [n, ways]. */
function imageTensors(set: ImageSet, ways: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const nchw = tf.tensor4d(set.images, [set.n, set.channels, set.size, set.size]);
    const x = set.channels === 1 ? tf.reshape(nchw, [set.n, set.size, set.size, 1]) : tf.transpose(nchw, [0, 2, 3, 1]);
    const y = tf.cast(tf.oneHot(tf.tensor1d(set.labels, 'int32'), ways), 'float32');
    return { x, y };
  });
}

export function tfSinusoidTasks(tasks: SinusoidTask[]): TfTask[] {
  return tasks.map((t) => ({ support: regressionTensors(t.support), query: regressionTensors(t.query) }));
}

export function tfImageTasks(tasks: ImageTask[], ways: number): TfTask[] {
  return tasks.map((t) => ({ support: imageTensors(t.support, ways), query: imageTensors(t.query, ways) }));
}

/** Max |grad . v - central FD along v| over a few random unit directions v, and the largest |FD|. */
export function checkAgainstFiniteDifferences(
  model: TfModel,
  loss: TfLoss,
  params: tf.Tensor[],
  tasks: TfTask[],
  options: TfMamlOptions,
  eps = 1e-2,
): { maxAbsDiff: number; maxFd: number } {
  const { grads } = tfMamlMetaGradient(model, loss, params, tasks, options);
  let maxAbsDiff = 0;
  let maxFd = 0;
  for (let dir = 0; dir < 4; dir++) {
    const raw = params.map((p, i) => tf.tensor(randomNormalArray(p.size, 100 * dir + i), p.shape));
    const norm = Math.sqrt(raw.reduce((acc, r) => acc + tf.sum(tf.square(r)).dataSync()[0], 0));
    const v = raw.map((r) => tf.div(r, norm));
    tf.dispose(raw);
    const shifted = (sign: number) => params.map((p, i) => tf.add(p, tf.mul(sign * eps, v[i])));
    const plus = shifted(1);
    const minus = shifted(-1);
    const fd = (tfMamlMetaLoss(model, loss, plus, tasks, options) - tfMamlMetaLoss(model, loss, minus, tasks, options)) / (2 * eps);
    const analytic = grads.reduce((acc, g, i) => acc + tf.sum(tf.mul(g, v[i])).dataSync()[0], 0);
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(analytic - fd));
    maxFd = Math.max(maxFd, Math.abs(fd));
    tf.dispose([...v, ...plus, ...minus]);
  }
  tf.dispose(grads);
  return { maxAbsDiff, maxFd };
}

/** Flat copy of a conv4 meta-gradient on a tiny case, to compare the two tfjs conv paths. */
async function tinyConvMetaGradient(backend: TfjsBackendName): Promise<Float32Array[]> {
  await useTfjsBackend(backend);
  const model = tfConv4(1, 4, 3, 16);
  const params = tfInitParams(model, 11);
  const tasks = tfImageTasks(imageMetaBatch(2, 3, 1, 2, 5, 1, 16), 3);
  const options = { innerLR: 0.4, innerSteps: 1, order: 2 as const };
  const fd = checkAgainstFiniteDifferences(model, crossEntropyLoss, params, tasks, options, 1e-3);
  console.log(`tfjs ${backend} conv4 MAML order 2, 1 step: max |grad.v - FD| = ${fd.maxAbsDiff.toExponential(2)} (|FD| up to ${fd.maxFd.toFixed(3)})`);
  const { grads } = tfMamlMetaGradient(model, crossEntropyLoss, params, tasks, options);
  return grads.map((g) => g.dataSync() as Float32Array);
}

async function main(): Promise<void> {
  // cpu differentiates tf.conv2d (with our Conv2DBackpropFilter gradient); wasm convolves by slices.
  const cpu = await tinyConvMetaGradient('cpu');
  const wasm = await tinyConvMetaGradient('wasm');
  let maxDiff = 0;
  cpu.forEach((g, i) => g.forEach((value, j) => (maxDiff = Math.max(maxDiff, Math.abs(value - wasm[i][j])))));
  console.log(`tfjs conv4 meta-gradient, cpu (conv2d) vs wasm (slices): max difference ${maxDiff.toExponential(2)}`);
  for (const backend of ['cpu', 'wasm'] as TfjsBackendName[]) {
    await useTfjsBackend(backend);
    // One hidden layer and eps 1e-3: with more ReLUs the FD step crosses kinks and FD itself is wrong.
    const model = tfMlp([1, 8, 1]);
    const params = tfInitParams(model, 7);
    const tasks = tfSinusoidTasks(sinusoidMetaBatch(2, 5, 3));
    for (const order of [2, 1] as const) {
      const options = { innerLR: 0.01, innerSteps: 2, order };
      const { maxAbsDiff, maxFd } = checkAgainstFiniteDifferences(model, mseLoss, params, tasks, options, 1e-3);
      // Order 2 must agree with FD of the whole inner loop; order 1 must not (it drops the Hessian term).
      console.log(`tfjs ${backend} MAML order ${order}, 2 steps: max |grad.v - FD| = ${maxAbsDiff.toExponential(2)} (|FD| up to ${maxFd.toFixed(3)})`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
