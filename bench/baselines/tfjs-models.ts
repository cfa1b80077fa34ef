/**
 * The benchmark models written for TensorFlow.js with ops whose gradients are themselves
 * differentiable (so nested tf.grads gives second-order MAML): the sinusoid MLP and the
 * Omniglot conv4 net. Same architectures as metalearn's nn.mlp and nn.conv4, NHWC layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convNeedsSlices } from './tfjs-setup.js';
import { randomNormalArray } from '../workloads.js';

/** A functional model: a flat list of parameters and apply(params, x). */
export interface TfModel {
  names: string[];
  shapes: number[][];
  apply(params: tf.Tensor[], x: tf.Tensor): tf.Tensor;
}

export function tfMlp(sizes: number[]): TfModel {
  const names: string[] = [];
  const shapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    names.push(`w${l}`, `b${l}`);
    shapes.push([sizes[l], sizes[l + 1]], [sizes[l + 1]]); // w: [in, out]
  }
  return {
    names,
    shapes,
    // x: [n, in] -> [n, out]; ReLU between layers, none after the last.
    apply(params, x) {
      let h = x as tf.Tensor2D;
      const layers = params.length / 2;
      for (let l = 0; l < layers; l++) {
        h = tf.add(tf.matMul(h, params[2 * l] as tf.Tensor2D), params[2 * l + 1]) as tf.Tensor2D;
        if (l + 1 < layers) h = tf.relu(h);
      }
      return h;
    },
  };
}

/** 3x3 convolution, stride 1, zero padding 1. x: [n, h, w, c], w: [3, 3, c, o] -> [n, h, w, o]. */
function conv3x3(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  if (!convNeedsSlices()) return tf.conv2d(x, w, 1, 'same');
  // im2col by nine shifted slices of the padded input, then one matmul.
  const [n, h, wd, c] = x.shape;
  const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const patches: tf.Tensor4D[] = [];
  for (let dy = 0; dy < 3; dy++) {
    for (let dx = 0; dx < 3; dx++) patches.push(tf.slice(padded, [0, dy, dx, 0], [n, h, wd, c]));
  }
  const columns = tf.reshape(tf.concat(patches, 3), [n * h * wd, 9 * c]); // (dy, dx, c) order = w's layout
  const out = tf.matMul(columns, tf.reshape(w, [9 * c, w.shape[3]]));
  return tf.reshape(out, [n, h, wd, w.shape[3]]);
}

/** 2x2 max-pool, stride 2, floor; by reshape + max because tfjs has no gradient for MaxPoolGrad. */
function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const even = oh * 2 === h && ow * 2 === w ? x : tf.slice(x, [0, 0, 0, 0], [n, oh * 2, ow * 2, c]);
  return tf.max(tf.reshape(even, [n, oh, 2, ow, 2, c]), [2, 4]) as tf.Tensor4D;
}

/** Batch norm with batch statistics over (n, h, w) per channel, then gamma * xhat + beta. */
function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const mean = tf.mean(x, [0, 1, 2]);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), [0, 1, 2]);
  return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, 1e-5))), gamma), beta) as tf.Tensor4D;
}

/** Four blocks of conv3x3(hidden) + batch norm + ReLU + max-pool 2x2, then a linear head. */
export function tfConv4(inChannels: number, hidden: number, outputs: number, imageSize: number): TfModel {
  const names: string[] = [];
  const shapes: number[][] = [];
  let c = inChannels;
  let size = imageSize;
  for (let block = 0; block < 4; block++) {
    names.push(`conv${block}.w`, `conv${block}.b`, `bn${block}.gamma`, `bn${block}.beta`);
    shapes.push([3, 3, c, hidden], [hidden], [hidden], [hidden]);
    c = hidden;
    size = Math.floor(size / 2);
  }
  const features = hidden * size * size;
  names.push('head.w', 'head.b');
  shapes.push([features, outputs], [outputs]);
  return {
    names,
    shapes,
    // x: [n, size, size, inChannels] -> logits [n, outputs]
    apply(params, x) {
      let h = x as tf.Tensor4D;
      for (let block = 0; block < 4; block++) {
        const [w, b, gamma, beta] = params.slice(4 * block, 4 * block + 4);
        h = tf.add(conv3x3(h, w as tf.Tensor4D), b) as tf.Tensor4D;
        h = maxPool2x2(tf.relu(batchNorm(h, gamma, beta)));
      }
      const flat = tf.reshape(h, [h.shape[0], features]);
      return tf.add(tf.matMul(flat, params[16] as tf.Tensor2D), params[17]);
    },
  };
}

/** Seeded parameters (He-scaled normal weights, zero biases, unit gammas): for timing only. */
export function tfInitParams(model: TfModel, seed: number): tf.Tensor[] {
  return model.shapes.map((shape, i) => {
    const size = shape.reduce((a, d) => a * d, 1);
    const name = model.names[i];
    if (name.endsWith('gamma')) return tf.ones(shape);
    if (shape.length === 1) return tf.zeros(shape);
    const fanIn = size / shape[shape.length - 1];
    return tf.tensor(randomNormalArray(size, seed + i, Math.sqrt(2 / fanIn)), shape);
  });
}

export function countParams(model: TfModel): number {
  return model.shapes.reduce((total, shape) => total + shape.reduce((a, d) => a * d, 1), 0);
}
