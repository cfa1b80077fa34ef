/**
 * Do the TensorFlow.js baseline and metalearn compute the same MAML meta-gradient? Same
 * initial parameters (metalearn's init, converted to tfjs layouts), same tasks, second order,
 * on a small sinusoid MLP and a small conv4; prints the max abs difference per case.
 *   npx tsx bench/baselines/tfjs-vs-metalearn.ts
 * Both run in float32, so agreement is to float32 rounding (relative ~1e-5..1e-4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { MAML, nn, setBackend, disposeParams, type Params, type Task, type BackendName } from '../../lib/index.js';
import { imageTensors, regressionTensors, useCore } from '../contenders.js';
import { imageMetaBatch, sinusoidMetaBatch } from '../workloads.js';
import { tfConv4, tfMlp, type TfModel } from './tfjs-models.js';
import { crossEntropyLoss, mseLoss, tfImageTasks, tfMamlMetaGradient, tfSinusoidTasks, type TfLoss, type TfTask } from './tfjs-maml.js';
import { useTfjsBackend } from './tfjs-setup.js';

/** metalearn layouts -> tfjs layouts: linear [out,in] -> [in,out]; conv [O,C,KH,KW] -> [KH,KW,C,O]. */
function toTfjsLayout(value: tf.Tensor): tf.Tensor {
  if (value.rank === 2) return tf.transpose(value, [1, 0]);
  if (value.rank === 4) return tf.transpose(value, [2, 3, 1, 0]);
  return value;
}

/** Our parameter names in the order of the tfjs model's flat list. */
function mlpNames(layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => [`layer${i}.weight`, `layer${i}.bias`]).flat();
}

function conv4Names(): string[] {
  const names = Array.from({ length: 4 }, (_, i) => [`block${i}.conv.weight`, `block${i}.conv.bias`, `block${i}.bn.weight`, `block${i}.bn.bias`]).flat();
  return [...names, 'head.weight', 'head.bias'];
}

function toTfjs(params: Params, names: string[]): tf.Tensor[] {
  return names.map((n) => toTfjsLayout(tf.tensor(params[n].toArray(), [...params[n].shape])));
}

interface Case {
  label: string;
  ourModel: nn.Model;
  tfModel: TfModel;
  names: string[];
  loss: TfLoss;
  ourTasks: () => Task[];
  tfTasks: () => TfTask[];
  innerLR: number;
  steps: number;
}

async function compare(c: Case, core: BackendName): Promise<number> {
  setBackend(core);
  const params = c.ourModel.init(3);
  const maml = new MAML(c.ourModel, { innerLR: c.innerLR, innerSteps: c.steps, order: 2 });
  const ours = await maml.metaGradient(params, c.ourTasks());
  const tfParams = toTfjs(params, c.names);
  const theirs = tfMamlMetaGradient(c.tfModel, c.loss, tfParams, c.tfTasks(), { innerLR: c.innerLR, innerSteps: c.steps, order: 2 });
  let maxDiff = 0;
  let maxAbs = 0;
  c.names.forEach((name, i) => {
    const mine = toTfjsLayout(tf.tensor(ours.grads[name].toArray(), [...ours.grads[name].shape]));
    maxDiff = Math.max(maxDiff, tf.max(tf.abs(tf.sub(mine, theirs.grads[i]))).dataSync()[0]);
    maxAbs = Math.max(maxAbs, tf.max(tf.abs(mine)).dataSync()[0]);
  });
  console.log(`${c.label} [${core}]: loss ${ours.loss.toFixed(5)} vs tfjs ${theirs.loss.toFixed(5)}; max |grad difference| ${maxDiff.toExponential(2)} (largest |grad| ${maxAbs.toFixed(4)})`);
  disposeParams(ours.grads);
  return maxDiff / Math.max(maxAbs, 1e-12);
}

async function main(): Promise<void> {
  await useTfjsBackend('cpu');
  const sinusoid = sinusoidMetaBatch(3, 10, 8);
  const images = imageMetaBatch(2, 3, 1, 2, 8, 1, 16);
  const cases: Case[] = [
    {
      label: 'sinusoid MLP 1-40-40-1, 3 tasks, 2 inner steps',
      ourModel: nn.mlp([1, 40, 40, 1]), tfModel: tfMlp([1, 40, 40, 1]), names: mlpNames(3), loss: mseLoss,
      ourTasks: () => sinusoid.map((t) => ({ support: regressionTensors(t.support), query: regressionTensors(t.query) })),
      tfTasks: () => tfSinusoidTasks(sinusoid), innerLR: 0.01, steps: 2,
    },
    {
      label: 'conv4 (16x16x1, 8 filters, 3-way), 2 tasks, 1 inner step',
      ourModel: nn.conv4({ inChannels: 1, hidden: 8, outputs: 3, imageSize: 16 }), tfModel: tfConv4(1, 8, 3, 16), names: conv4Names(),
      loss: crossEntropyLoss,
      ourTasks: () => images.map((t) => ({ support: imageTensors(t.support), query: imageTensors(t.query) })),
      tfTasks: () => tfImageTasks(images, 3), innerLR: 0.4, steps: 1,
    },
  ];
  for (const core of ['native', 'js'] as const) {
    const reason = useCore(core);
    if (reason) {
      console.log(`skipping the ${core} core: ${reason}`);
      continue;
    }
    for (const c of cases) await compare(c, core);
  }
}

await main();
