/**
 * MAML++'s per-step batch-norm running statistics (BNRS): per layer, buffers mean and var
 * [k + 1, C] in Params (lib/nn/perStepBatchNorm.ts names them), updated once per meta-batch:
 *
 *   running[j] = (1 - momentum) * running[j] + momentum * batch[j]          j = 0 .. k
 *
 * batch[j] is the mean over the meta-batch's tasks of the batch statistics the model met at
 * state t_j: the support set's at t_0..t_{k-1} (the inner steps) and the query set's at t_k
 * (the only set normalised at t_k during training). So row j describes exactly the batches that
 * row j normalises in a non-transductive evaluation: support sets during the inner steps and
 * the query set after adaptation. Variances are unbiased (PyTorch's running_var convention).
 */
import { describeValue } from '../core/args.js';
import { ShapeError, ValueError } from '../errors.js';
import { Tensor } from '../core/tensor.js';
import { runningMeanName, runningVarName, type PerStepBatchNormLayer } from '../nn/perStepBatchNorm.js';
import type { Params } from './types.js';
import { typedArrayFor } from '../core/typedArray.js';

/** Statistics of one task at one state: [mean_0, var_0, mean_1, var_1, ...], each [C]. */
export type StateStatistics = Tensor[];

/**
 * New running-statistics buffers (fresh tensors on the old ones' backend and dtype).
 * perTask[t][j]: task t's statistics at state t_j, j = 0..k.
 */
export function updatedRunningStatistics(
  params: Params,
  layers: readonly PerStepBatchNormLayer[],
  perTask: StateStatistics[][],
  momentum: number,
): Params {
  if (!(momentum >= 0 && momentum <= 1)) throw new ValueError(`MAMLpp: batch-norm momentum must be in [0, 1], got ${describeValue(momentum)}`);
  if (perTask.length === 0) throw new ValueError('MAMLpp: running statistics need at least one task');
  const out: Params = {};
  layers.forEach((layer, l) => {
    for (const [which, name] of [[0, runningMeanName(layer.name)], [1, runningVarName(layer.name)]] as const) {
      const old = params[name];
      if (!old) throw new ValueError(`MAMLpp: params has no running statistics '${name}' (create params with MAMLpp.init)`);
      const batch = perTask.map((states) => states.map((stats) => stats[2 * l + which].toArray()));
      out[name] = momentumUpdate(old, taskMean(batch, name), momentum);
    }
  });
  return out;
}

/** mean over tasks of batch[t][j][c] -> [j][c]. */
function taskMean(batch: ArrayLike<number>[][], name: string): Float64Array[] {
  const rows = batch[0].length;
  return Array.from({ length: rows }, (_, j) => {
    const acc = new Float64Array(batch[0][j].length);
    for (const states of batch) {
      if (states.length !== rows || states[j].length !== acc.length) {
        throw new ShapeError(`MAMLpp: batch statistics for '${name}' differ in shape between tasks`);
      }
      for (let c = 0; c < acc.length; c++) acc[c] += states[j][c] / batch.length;
    }
    return acc;
  });
}

/** (1 - m) * old + m * batch, row by row; old: [rows, C]. */
function momentumUpdate(old: Tensor, batch: Float64Array[], momentum: number): Tensor {
  const [rows, channels] = old.shape;
  if (batch.length !== rows || batch.some((r) => r.length !== channels)) {
    throw new ShapeError(`MAMLpp: running statistics [${old.shape}] but batch statistics for ${batch.length} states of ${batch[0]?.length} channels`);
  }
  const values = old.toArray();
  const next = typedArrayFor(old.dtype, values.length);
  for (let j = 0; j < rows; j++) {
    for (let c = 0; c < channels; c++) next[j * channels + c] = (1 - momentum) * values[j * channels + c] + momentum * batch[j][c];
  }
  return fromArrayLike(old, next);
}

/** A new tensor holding `data`, on `like`'s backend, shape and dtype. */
function fromArrayLike(like: Tensor, data: Float32Array | Float64Array): Tensor {
  return Tensor.fromHandle(like.backend, like.backend.fromArray(data, like.shape), like.shape, like.dtype);
}
