/**
 * The relation module of Relation Networks (Sung et al., 2018, figure 2), on feature maps:
 *
 *   pair maps [pairs, 2C, S, S]   (class feature and query feature concatenated on channels)
 *   2 x [conv 3x3 pad 1 (filters) -> batch norm (batch statistics, affine) -> ReLU -> max-pool 2x2]
 *   flatten -> linear (hidden, 8 in the paper) -> ReLU -> linear (1)           -> [pairs, 1]
 *
 * RelationNet applies the final sigmoid. S = 7 for conv4 with pooling in its first two blocks
 * on 28x28 Omniglot (7 -> 3 -> 1 here), S = 5 with the paper's unpadded first convolutions.
 * Params: block{0,1}.conv.weight [filters, in, 3, 3], .conv.bias, .bn.weight, .bn.bias [filters],
 * fc1.weight [hidden, filters * s * s], fc1.bias [hidden], fc2.weight [1, hidden], fc2.bias [1]
 * (s = S after two 2x2 poolings). Initialised like PyTorch's Linear/Conv2d defaults.
 */
import { describeValue } from '../core/args.js';
import type { DType } from '../backend/types.js';
import type { Params } from '../core/params.js';
import { Random } from '../core/random.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { ShapeError, ValueError } from '../errors.js';
import { constant, fanInUniform } from '../nn/init.js';
import * as ops from '../ops/index.js';
import type { EmbeddingModel } from './metricLearner.js';
import { LEARNER_DEFAULTS } from '../algorithms/defaults.js';

export interface ConvRelationModuleOptions {
  /** Channels of one embedding map C; the module takes 2C (a class map and a query map). */
  channels: number;
  /** Side S of the square embedding maps. */
  side: number;
  /** Filters of the two conv blocks. Default: channels (64 in the paper). */
  filters?: number;
  /** Width of the first linear layer. Default 8 (the paper's). */
  hidden?: number;
}

const BLOCKS = 2;

export function convRelationModule(options: ConvRelationModuleOptions): EmbeddingModel {
  const { channels, side, filters = options.channels, hidden = LEARNER_DEFAULTS.relation.hidden.conv } = options;
  for (const [name, v, min] of [['channels', channels, 1], ['side', side, 4], ['filters', filters, 1], ['hidden', hidden, 1]] as const) {
    if (!Number.isInteger(v) || v < min) {
      throw new ValueError(`RelationNet (conv relation module): ${name} must be an integer >= ${min}, got ${describeValue(v)}` + (name === 'side' ? ' (two 2x2 poolings need maps of side >= 4)' : ''));
    }
  }
  const pooledSide = Math.floor(Math.floor(side / 2) / 2);
  const flat = filters * pooledSide * pooledSide;

  return {
    init(seed: number, dtype: DType = 'float32'): Params {
      const rng = new Random(seed);
      const params: Params = {};
      for (let i = 0; i < BLOCKS; i++) {
        const { weight, bias } = fanInUniform(rng, [filters, i === 0 ? 2 * channels : filters, 3, 3], dtype);
        params[`block${i}.conv.weight`] = weight;
        params[`block${i}.conv.bias`] = bias;
        params[`block${i}.bn.weight`] = constant([filters], 1, dtype);
        params[`block${i}.bn.bias`] = constant([filters], 0, dtype);
      }
      const fc1 = fanInUniform(rng, [hidden, flat], dtype);
      const fc2 = fanInUniform(rng, [1, hidden], dtype);
      return { ...params, 'fc1.weight': fc1.weight, 'fc1.bias': fc1.bias, 'fc2.weight': fc2.weight, 'fc2.bias': fc2.bias };
    },

    /** pairs [p, 2C, S, S] -> relation logits [p, 1]. */
    apply(params: Params, pairs: Tensor): Tensor {
      if (pairs.rank !== 4 || pairs.shape[1] !== 2 * channels || pairs.shape[2] !== side || pairs.shape[3] !== side) {
        throw new ShapeError(
          `RelationNet (conv relation module): pair maps must be [pairs, ${2 * channels}, ${side}, ${side}], got ${formatShape(pairs.shape)}`,
        );
      }
      let h = pairs;
      for (let i = 0; i < BLOCKS; i++) {
        h = ops.conv2d(h, params[`block${i}.conv.weight`], params[`block${i}.conv.bias`], { padding: 1 });
        h = ops.batchNorm(h, params[`block${i}.bn.weight`], params[`block${i}.bn.bias`]);
        h = ops.maxPool2d(ops.relu(h), { kernel: 2 });
      }
      h = ops.relu(ops.linear(ops.reshape(h, [pairs.shape[0], flat]), params['fc1.weight'], params['fc1.bias']));
      return ops.linear(h, params['fc2.weight'], params['fc2.bias']);
    },
  };
}
