/**
 * The standard 4-block conv net of few-shot learning (Vinyals et al.; MAML; ProtoNets):
 * 4 x [conv 3x3 pad 1 -> batch norm (batch statistics, affine) -> ReLU -> max-pool 2x2],
 * flatten, then a linear head with `outputs` classes (outputs 0 or omitted: embedding only).
 * 28x28 inputs give 64-dim features (28->14->7->3->1), 84x84 give 64*5*5 = 1600.
 * Params: block{i}.conv.weight [hidden,C,3,3], block{i}.conv.bias, block{i}.bn.weight,
 * block{i}.bn.bias [hidden], head.weight [outputs, features], head.bias [outputs].
 */
import { ShapeError, ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import type { Params } from '../core/params.js';
import { Random } from '../core/random.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { batchNorm, conv2d, linear } from '../ops/layers.js';
import { maxPool2d, relu, reshape } from '../ops/primitives.js';
import { constant, fanInUniform } from './init.js';
import type { Model } from './model.js';

export interface Conv4Options {
  inChannels: number;
  /** Filters per block (64 in the papers). */
  hidden: number;
  /** Classes of the linear head; 0 or omitted: no head (apply returns embeddings). */
  outputs?: number;
  /** Input height = width (28 for Omniglot, 84 for mini-ImageNet). Default 28. */
  imageSize?: number;
}

const BLOCKS = 4;

export interface Conv4Model extends Model {
  /** Embedding size after the 4 blocks, flattened. */
  readonly features: number;
  embed(params: Params, x: Tensor): Tensor;
}

export function conv4(options: Conv4Options): Conv4Model {
  const { inChannels, hidden, outputs = 0, imageSize = 28 } = options;
  for (const [name, v, min] of [['inChannels', inChannels, 1], ['hidden', hidden, 1], ['outputs', outputs, 0], ['imageSize', imageSize, 16]] as const) {
    if (!Number.isInteger(v) || v < min) throw new ValueError(`nn.conv4: ${name} must be an integer >= ${min}, got ${v}`);
  }
  let side = imageSize;
  for (let i = 0; i < BLOCKS; i++) side = Math.floor(side / 2);
  const features = hidden * side * side;

  function embed(params: Params, x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== inChannels || x.shape[2] !== imageSize || x.shape[3] !== imageSize) {
      throw new ShapeError(`nn.conv4: input must be [N,${inChannels},${imageSize},${imageSize}], got ${formatShape(x.shape)}`);
    }
    let h = x;
    for (let i = 0; i < BLOCKS; i++) {
      h = conv2d(h, params[`block${i}.conv.weight`], params[`block${i}.conv.bias`], { padding: 1 });
      h = batchNorm(h, params[`block${i}.bn.weight`], params[`block${i}.bn.bias`]);
      h = maxPool2d(relu(h), { kernel: 2 });
    }
    return reshape(h, [x.shape[0], features]);
  }

  return {
    features,
    init(seed: number, dtype: DType = 'float32'): Params {
      const rng = new Random(seed);
      const params: Params = {};
      for (let i = 0; i < BLOCKS; i++) {
        const { weight, bias } = fanInUniform(rng, [hidden, i === 0 ? inChannels : hidden, 3, 3], dtype);
        params[`block${i}.conv.weight`] = weight;
        params[`block${i}.conv.bias`] = bias;
        params[`block${i}.bn.weight`] = constant([hidden], 1, dtype);
        params[`block${i}.bn.bias`] = constant([hidden], 0, dtype);
      }
      if (outputs > 0) {
        const { weight, bias } = fanInUniform(rng, [outputs, features], dtype);
        params['head.weight'] = weight;
        params['head.bias'] = bias;
      }
      return params;
    },
    embed,
    apply(params: Params, x: Tensor): Tensor {
      const h = embed(params, x);
      return outputs > 0 ? linear(h, params['head.weight'], params['head.bias']) : h;
    },
  };
}
