/**
 * Multi-layer perceptron with ReLU between layers (none after the last), e.g. the MAML
 * sinusoid regressor mlp([1, 40, 40, 1]). Params: layer{i}.weight [out,in], layer{i}.bias [out].
 */
import { describeValue } from '../core/args.js';
import { formatShape } from '../core/shape.js';
import { ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import type { Params } from '../core/params.js';
import { Random } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import { linear } from '../ops/layers.js';
import { relu } from '../ops/primitives.js';
import { fanInUniform } from './init.js';
import type { Model } from './model.js';

export function mlp(sizes: number[]): Model {
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new ValueError(`nn.mlp: sizes must be at least two positive integers, got ${Array.isArray(sizes) ? formatShape(sizes) : describeValue(sizes)}`);
  }
  const layers = sizes.length - 1;
  return {
    init(seed: number, dtype: DType = 'float32'): Params {
      const rng = new Random(seed);
      const params: Params = {};
      for (let i = 0; i < layers; i++) {
        const { weight, bias } = fanInUniform(rng, [sizes[i + 1], sizes[i]], dtype);
        params[`layer${i}.weight`] = weight;
        params[`layer${i}.bias`] = bias;
      }
      return params;
    },
    apply(params: Params, x: Tensor): Tensor {
      let h = x;
      for (let i = 0; i < layers; i++) {
        h = linear(h, params[`layer${i}.weight`], params[`layer${i}.bias`]);
        if (i < layers - 1) h = relu(h);
      }
      return h;
    },
  };
}
