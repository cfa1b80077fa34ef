/**
 * Per-step batch normalisation (MAML++, Antoniou et al. 2019, "BNWB" and "BNRS").
 *
 * A network adapted by k inner steps is evaluated at the k + 1 parameter states t_0..t_k. Each
 * batch-norm layer keeps one row per state: weight and bias [k + 1, C] (meta-learned), and
 * running mean and variance [k + 1, C] (buffers, updated by momentum, never trained). The model
 * at state t_j uses row j.
 *
 * The state index reaches the model as DATA, a one-hot vector [k + 1], not as a different
 * program: row j is selected by onehot · table ([k + 1] x [k + 1, C] -> [C]). So one recorded
 * program serves every inner step, and the exact meta-gradient through the per-step rows comes
 * from the same engine recursion as every other parameter (lib/engine).
 *
 * Normalisation uses the batch's own statistics by default (transductive, as MAML and the
 * papers evaluate); 'running' normalises with the row's running statistics instead.
 */
import { describeValue } from '../core/args.js';
import { ValueError } from '../errors.js';
import type { Params } from '../core/params.js';
import { Tensor } from '../core/tensor.js';
import { add, addScalar, div, matmul, mul, mulScalar, reshape, sqrt, square, sub } from '../ops/primitives.js';
import { mean } from '../ops/reductions.js';
import type { Model } from './model.js';
import { typedArrayFor } from '../core/typedArray.js';

/** Which statistics normalise: the batch's own (default) or the per-step running ones. */
export type BatchNormStatistics = 'batch' | 'running';

/** Prefix of running-statistics buffers in Params: they are stored and checkpointed, never trained. */
export const BN_STATS_PREFIX = 'bn_stats/';

export const runningMeanName = (layer: string): string => `${BN_STATS_PREFIX}${layer}/mean`;
export const runningVarName = (layer: string): string => `${BN_STATS_PREFIX}${layer}/var`;

export function isBatchNormBuffer(name: string): boolean {
  return name.startsWith(BN_STATS_PREFIX);
}

/** One per-step batch-norm layer: its name and the Params keys of its weight and bias [k + 1, C]. */
export interface PerStepBatchNormLayer {
  /** Running statistics: runningMeanName(name), runningVarName(name). */
  name: string;
  weight: string;
  bias: string;
}

/** A model whose batch-norm layers have one row of weights and statistics per inner-loop state. */
export interface PerStepBatchNormModel extends Model {
  /** Inner steps k the rows serve: k + 1 rows, one per state t_0..t_k. */
  readonly batchNormSteps: number;
  /** The batch-norm layers, in order (the order of StepForward.batchStatistics). */
  readonly batchNormLayers: readonly PerStepBatchNormLayer[];
  /**
   * The forward pass at state t_j, step = one-hot [k + 1] with a 1 at j. Returns the output and,
   * per batch-norm layer in order, the batch's mean and unbiased variance [C] (what the running
   * statistics average; with 'running' statistics they are still the batch's own).
   */
  applyAtStep(params: Params, x: Tensor, step: Tensor, statistics?: BatchNormStatistics): StepForward;
}

export interface StepForward {
  output: Tensor;
  /** [mean_0, var_0, mean_1, var_1, ...], each [C]. */
  batchStatistics: Tensor[];
}

/** A model that can build its per-step batch-norm variant (nn.conv4). */
export interface PerStepBatchNormCapable extends Model {
  withPerStepBatchNorm(steps: number): PerStepBatchNormModel;
}

export function offersPerStepBatchNorm(model: Model): model is PerStepBatchNormCapable {
  return typeof (model as Partial<PerStepBatchNormCapable>).withPerStepBatchNorm === 'function';
}

export function isPerStepBatchNormModel(model: Model): model is PerStepBatchNormModel {
  const m = model as Partial<PerStepBatchNormModel>;
  return typeof m.applyAtStep === 'function' && typeof m.batchNormSteps === 'number';
}

/** The one-hot [rows] selecting state `step`, on `like`'s backend and dtype; states past the last row use the last row. */
export function stepOneHot(like: Tensor, step: number, rows: number): Tensor {
  if (!Number.isInteger(step) || step < 0) throw new ValueError(`perStepBatchNorm: step must be an integer >= 0, got ${describeValue(step)}`);
  const values = typedArrayFor(like.dtype, rows);
  values[Math.min(step, rows - 1)] = 1;
  return Tensor.fromHandle(like.backend, like.backend.fromArray(values, [rows]), [rows], like.dtype);
}

/** Row selection: onehot [rows] · table [rows, C] -> [C]. */
export function selectRow(table: Tensor, oneHot: Tensor): Tensor {
  const rows = oneHot.shape[0];
  return reshape(matmul(reshape(oneHot, [1, rows]), table), [table.shape[1]]);
}

export interface BatchMoments {
  /** [1, C, 1, 1] for x [N,C,H,W] (keepDims, ready to broadcast). */
  mean: Tensor;
  /** Biased variance (divides by the count), same shape. */
  variance: Tensor;
  /** Elements averaged per channel (N*H*W). */
  count: number;
}

/** Per-channel mean and biased variance of x [N,C,H,W] over (N,H,W). */
export function batchMoments(x: Tensor): BatchMoments {
  const axes = [0, 2, 3];
  const m = mean(x, axes, true);
  const variance = mean(square(sub(x, m)), axes, true);
  return { mean: m, variance, count: x.shape[0] * x.shape[2] * x.shape[3] };
}

/** y = (x - mean) / sqrt(var + eps) * gamma + beta; x [N,C,H,W], mean/var [1,C,1,1], gamma/beta [C]. */
export function normalize(x: Tensor, m: Tensor, variance: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const C = x.shape[1];
  const channel = [1, C, 1, 1];
  const normalized = div(sub(x, m), sqrt(addScalar(variance, eps)));
  return add(mul(normalized, reshape(gamma, channel)), reshape(beta, channel));
}

/**
 * One per-step batch-norm layer on x [N,C,H,W] at the state `step` selects.
 * weight/bias: [rows, C]; with 'running', params holds the layer's running statistics [rows, C].
 */
export function perStepBatchNorm(
  params: Params,
  layer: PerStepBatchNormLayer,
  x: Tensor,
  step: Tensor,
  statistics: BatchNormStatistics,
): { y: Tensor; mean: Tensor; variance: Tensor } {
  const C = x.shape[1];
  const gamma = selectRow(params[layer.weight], step);
  const beta = selectRow(params[layer.bias], step);
  const batch = batchMoments(x);
  // Bessel's correction, as PyTorch's running_var: the running statistics estimate the population.
  const unbiased = mulScalar(batch.variance, batch.count / Math.max(batch.count - 1, 1));
  let y: Tensor;
  if (statistics === 'running') {
    const m = reshape(selectRow(params[runningMeanName(layer.name)], step), [1, C, 1, 1]);
    const v = reshape(selectRow(params[runningVarName(layer.name)], step), [1, C, 1, 1]);
    y = normalize(x, m, v, gamma, beta);
  } else {
    y = normalize(x, batch.mean, batch.variance, gamma, beta);
  }
  return { y, mean: reshape(batch.mean, [C]), variance: reshape(unbiased, [C]) };
}
