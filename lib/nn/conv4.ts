/**
 * The standard 4-block conv net of few-shot learning (Vinyals et al.; MAML; ProtoNets):
 * 4 x [conv 3x3 pad 1 -> batch norm (batch statistics, affine) -> ReLU -> max-pool 2x2],
 * flatten, then a linear head with `outputs` classes (outputs 0 or omitted: embedding only).
 * 28x28 inputs give 64-dim features (28->14->7->3->1), 84x84 give 64*5*5 = 1600.
 * Params: block{i}.conv.weight [hidden,C,3,3], block{i}.conv.bias, block{i}.bn.weight,
 * block{i}.bn.bias [hidden], head.weight [outputs, features], head.bias [outputs].
 *
 * With `batchNormSteps: k` (MAML++'s per-step batch norm, perStepBatchNorm.ts) the batch-norm
 * weight and bias are [k + 1, hidden], one row per inner-loop state t_0..t_k, and Params also
 * holds running statistics 'bn_stats/block{i}/mean' and '.../var' [k + 1, hidden] (buffers).
 * applyAtStep(params, x, onehot) evaluates at one state; plain apply/embed use the last row.
 *
 * Feature maps (Relation Networks' Omniglot embedding): `poolBlocks: 2` max-pools only after
 * the first two blocks (28x28 -> 14 -> 7 -> 7 -> 7), `flatten: false` returns [N, hidden, S, S]
 * maps instead of [N, features] vectors (no head then). `outputShape` gives the per-example shape.
 *
 * CAVIA's conditioning (Zintgraf et al. 2019, their conv nets): `film: { contextSize, block }`
 * adds a FiLM layer after block `block`'s batch norm, driven by the task context vector
 * params['context'] [contextSize]:  [g; b] = film.weight [2*hidden, contextSize] . context +
 * film.bias [2*hidden];  h = h * (1 + g) + b  per channel. The context is not a model parameter
 * (CAVIA resets it to zero per task and adapts it in the inner loop); without one, apply uses
 * the zero context, i.e. the scale and shift the film bias alone gives.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import type { Params } from '../core/params.js';
import { Random } from '../core/random.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { batchNorm, conv2d, linear } from '../ops/layers.js';
import { add, addScalar, maxPool2d, mul, relu, reshape, slice } from '../ops/primitives.js';
import { constant, fanInUniform } from './init.js';
import { describeValue, expectRecord, expectTensor } from '../core/args.js';
import type { Model } from './model.js';
import {
  perStepBatchNorm,
  runningMeanName,
  runningVarName,
  stepOneHot,
  type BatchNormStatistics,
  type PerStepBatchNormLayer,
  type PerStepBatchNormModel,
  type StepForward,
} from './perStepBatchNorm.js';

export interface Conv4Options {
  inChannels: number;
  /** Filters per block (64 in the papers). */
  hidden: number;
  /** Classes of the linear head; 0 or omitted: no head (apply returns embeddings). */
  outputs?: number;
  /** Input height = width (28 for Omniglot, 84 for mini-ImageNet). Default 28. */
  imageSize?: number;
  /**
   * Per-step batch norm for k inner steps (MAML++): batch-norm weights and running statistics
   * get k + 1 rows. Default: off (one weight and bias per channel, batch statistics).
   */
  batchNormSteps?: number;
  /** How many leading blocks end with a 2x2 max-pool (0..4). Default 4 (all). */
  poolBlocks?: number;
  /** Flatten the last block's maps to vectors. Default true; false needs outputs 0. */
  flatten?: boolean;
  /** CAVIA's FiLM conditioning on a context vector (see the header). Default: none. */
  film?: Conv4Film;
}

export interface Conv4Film {
  /** Length of the context vector params['context']. */
  contextSize: number;
  /** Which block (0..3) is modulated, after its batch norm. Default 2 (the third). */
  block?: number;
}

/** The Params key of the task context vector a FiLM-conditioned conv4 reads. */
export const FILM_CONTEXT = 'context';

const BLOCKS = 4;

export interface Conv4Model extends Model {
  /** Embedding size after the 4 blocks, flattened. */
  readonly features: number;
  /** Per-example output shape of embed: [features], or [hidden, S, S] with flatten: false. */
  readonly outputShape: readonly number[];
  embed(params: Params, x: Tensor): Tensor;
  /** With `film`: the length of the context vector it reads from params.context. */
  readonly filmContextSize?: number;
  /** The same network with per-step batch norm for `steps` inner steps (MAML++). */
  withPerStepBatchNorm(steps: number): PerStepConv4Model;
}

export type PerStepConv4Model = Conv4Model & PerStepBatchNormModel;

export function conv4(options: Conv4Options & { batchNormSteps: number }): PerStepConv4Model;
export function conv4(options: Conv4Options): Conv4Model;
export function conv4(options: Conv4Options): Conv4Model {
  expectRecord(options, 'nn.conv4: options');
  const { inChannels, hidden, outputs = 0, imageSize = 28, batchNormSteps } = options;
  for (const [name, v, min] of [['inChannels', inChannels, 1], ['hidden', hidden, 1], ['outputs', outputs, 0], ['imageSize', imageSize, 16]] as const) {
    if (!Number.isInteger(v) || v < min) throw new ValueError(`nn.conv4: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  }
  if (batchNormSteps !== undefined && !(Number.isInteger(batchNormSteps) && batchNormSteps >= 1)) {
    throw new ValueError(`nn.conv4: batchNormSteps must be an integer >= 1, got ${describeValue(batchNormSteps)}`);
  }
  const { poolBlocks = BLOCKS, flatten = true } = options;
  if (!Number.isInteger(poolBlocks) || poolBlocks < 0 || poolBlocks > BLOCKS) {
    throw new ValueError(`nn.conv4: poolBlocks must be an integer in [0, ${BLOCKS}], got ${describeValue(poolBlocks)}`);
  }
  const film = checkFilm(options.film, batchNormSteps);
  if (!flatten && outputs > 0) throw new ValueError(`nn.conv4: flatten: false returns feature maps and takes no head, got outputs ${outputs}`);
  let side = imageSize;
  for (let i = 0; i < poolBlocks; i++) side = Math.floor(side / 2);
  const features = hidden * side * side;
  const outputShape = flatten ? [features] : [hidden, side, side];
  const pooled = (i: number, h: Tensor): Tensor => (i < poolBlocks ? maxPool2d(h, { kernel: 2 }) : h);
  const blockNames = Array.from({ length: BLOCKS }, (_, i) => `block${i}`);
  const bnLayers: PerStepBatchNormLayer[] = blockNames.map((name) => ({ name, weight: `${name}.bn.weight`, bias: `${name}.bn.bias` }));

  function checkInput(x: Tensor): void {
    expectTensor(x, 'nn.conv4: x');
    if (x.rank !== 4 || x.shape[1] !== inChannels || x.shape[2] !== imageSize || x.shape[3] !== imageSize) {
      throw new ShapeError(`nn.conv4: input must be [N,${inChannels},${imageSize},${imageSize}], got ${formatShape(x.shape)}`);
    }
  }

  function embed(params: Params, x: Tensor): Tensor {
    if (batchNormSteps !== undefined) return embedAtStep(params, x, stepOneHot(x, batchNormSteps, batchNormSteps + 1), 'batch').output;
    checkInput(x);
    let h = x;
    for (let i = 0; i < BLOCKS; i++) {
      h = conv2d(h, params[`block${i}.conv.weight`], params[`block${i}.conv.bias`], { padding: 1 });
      h = batchNorm(h, params[`block${i}.bn.weight`], params[`block${i}.bn.bias`]);
      if (film && i === film.block) h = applyFilm(params, h, film.contextSize, hidden);
      h = pooled(i, relu(h));
    }
    return reshape(h, [x.shape[0], ...outputShape]);
  }

  /** Per-step batch norm: the embedding at the state `step` (one-hot [k + 1]) selects. */
  function embedAtStep(params: Params, x: Tensor, step: Tensor, statistics: BatchNormStatistics): StepForward {
    checkInput(x);
    const rows = (batchNormSteps ?? 0) + 1;
    if (step.rank !== 1 || step.shape[0] !== rows) {
      throw new ShapeError(`nn.conv4: step must be a one-hot [${rows}] (batchNormSteps ${batchNormSteps}), got ${formatShape(step.shape)}`);
    }
    let h = x;
    const batchStatistics: Tensor[] = [];
    for (let i = 0; i < BLOCKS; i++) {
      h = conv2d(h, params[`block${i}.conv.weight`], params[`block${i}.conv.bias`], { padding: 1 });
      const bn = perStepBatchNorm(params, bnLayers[i], h, step, statistics);
      batchStatistics.push(bn.mean, bn.variance);
      h = pooled(i, relu(bn.y));
    }
    return { output: reshape(h, [x.shape[0], ...outputShape]), batchStatistics };
  }

  function head(params: Params, h: Tensor): Tensor {
    return outputs > 0 ? linear(h, params['head.weight'], params['head.bias']) : h;
  }

  const model: Conv4Model = {
    features,
    outputShape,
    ...(film ? { filmContextSize: film.contextSize } : {}),
    init(seed: number, dtype: DType = 'float32'): Params {
      const rng = new Random(seed);
      const params: Params = {};
      const bnShape = batchNormSteps === undefined ? [hidden] : [batchNormSteps + 1, hidden];
      for (let i = 0; i < BLOCKS; i++) {
        const { weight, bias } = fanInUniform(rng, [hidden, i === 0 ? inChannels : hidden, 3, 3], dtype);
        params[`block${i}.conv.weight`] = weight;
        params[`block${i}.conv.bias`] = bias;
        params[`block${i}.bn.weight`] = constant(bnShape, 1, dtype);
        params[`block${i}.bn.bias`] = constant(bnShape, 0, dtype);
        if (batchNormSteps !== undefined) {
          params[runningMeanName(blockNames[i])] = constant(bnShape, 0, dtype);
          params[runningVarName(blockNames[i])] = constant(bnShape, 1, dtype);
        }
      }
      if (film) {
        params['film.weight'] = fanInUniform(rng, [2 * hidden, film.contextSize], dtype).weight;
        params['film.bias'] = constant([2 * hidden], 0, dtype);
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
      return head(params, embed(params, x));
    },
    withPerStepBatchNorm(steps: number): PerStepConv4Model {
      return conv4({ ...options, batchNormSteps: steps });
    },
  };
  if (batchNormSteps === undefined) return model;
  const perStep: PerStepConv4Model = {
    ...model,
    batchNormSteps,
    batchNormLayers: bnLayers,
    applyAtStep(params: Params, x: Tensor, step: Tensor, statistics: BatchNormStatistics = 'batch'): StepForward {
      const { output, batchStatistics } = embedAtStep(params, x, step, statistics);
      return { output: head(params, output), batchStatistics };
    },
  };
  return perStep;
}

function checkFilm(film: Conv4Film | undefined, batchNormSteps: number | undefined): Required<Conv4Film> | undefined {
  if (film === undefined) return undefined;
  const block = film.block ?? 2;
  if (!Number.isInteger(film.contextSize) || film.contextSize < 1) {
    throw new ValueError(`nn.conv4: film.contextSize must be an integer >= 1, got ${describeValue(film.contextSize)}`);
  }
  if (!Number.isInteger(block) || block < 0 || block >= BLOCKS) throw new ValueError(`nn.conv4: film.block must be an integer in [0, ${BLOCKS - 1}], got ${describeValue(block)}`);
  if (batchNormSteps !== undefined) throw new ValueError('nn.conv4: film and batchNormSteps cannot be combined');
  return { contextSize: film.contextSize, block };
}

/** h [N, C, H, W] -> h * (1 + g) + b with [g; b] = W . context + bias (zero context when absent). */
function applyFilm(params: Params, h: Tensor, contextSize: number, channels: number): Tensor {
  const context = params[FILM_CONTEXT];
  const weight = params['film.weight'];
  const bias = params['film.bias'];
  if (!weight || !bias) throw new ValueError("nn.conv4: film needs params 'film.weight' and 'film.bias' (create params with init)");
  let gb: Tensor; // [1, 2C]
  if (context === undefined) {
    gb = reshape(bias, [1, 2 * channels]);
  } else {
    if (context.rank !== 1 || context.shape[0] !== contextSize) {
      throw new ShapeError(`nn.conv4: params.context must be [${contextSize}], got ${formatShape(context.shape)}`);
    }
    gb = linear(reshape(context, [1, contextSize]), weight, bias);
  }
  const scale = addScalar(reshape(slice(gb, 1, 0, channels), [1, channels, 1, 1]), 1);
  const shift = reshape(slice(gb, 1, channels, 2 * channels), [1, channels, 1, 1]);
  return add(mul(h, scale), shift);
}
