/**
 * The task loss, recorded once per input shape and replayed for every task.
 *
 * Program: loss(params, x, y) with inputs [params in sorted key order..., x, y, constants...]
 * (lib/core/record.ts). Labels enter as a float tensor of class ids, and crossEntropy turns
 * them into one-hot rows with the oneHot primitive inside the program, so one recording
 * serves every task of the same shapes. Outputs: [loss] for mse, [loss, logits] for
 * crossEntropy (the logits give query accuracy after adaptation). With per-step batch norm
 * (MAML++), loss(params, x, y, step): see PerStepInput.
 */
import { ShapeError, ValueError } from '../errors.js';
import { ProgramCache, programKey } from '../core/programCache.js';
import type { RecordedProgram } from '../core/record.js';
import { record } from '../core/transforms.js';
import { sortedKeys } from '../core/params.js';
import { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { argmaxRows, fractionCorrect } from '../ops/labels.js';
import type { BatchNormStatistics, PerStepBatchNormModel } from '../nn/perStepBatchNorm.js';
import type { FunctionalModel, LossKind } from './options.js';
import type { LabeledSet, Params, Targets } from './types.js';
import { typedArrayFor } from '../core/typedArray.js';

/** A task set as program data: x and y both Tensors (y: targets, or class ids as floats). */
export interface ProgramData {
  x: Tensor;
  y: Tensor;
  /** The class ids, for accuracy (classification only). */
  labels?: Int32Array;
}

/** The loss a set's targets call for, unless the learner fixed one. */
export function lossKindFor(y: Targets, fixed: LossKind | undefined): LossKind {
  if (fixed) return fixed;
  return y instanceof Int32Array ? 'crossEntropy' : 'mse';
}

/** Converts a support or query set to program data on x's backend and dtype. */
export function toProgramData(algorithm: string, set: LabeledSet, kind: LossKind): ProgramData {
  const { x, y } = set;
  if (!Tensor.isTensor(x)) throw new ValueError(`${algorithm}: a task's x must be a Tensor`);
  const n = x.shape[0];
  if (y instanceof Int32Array) {
    if (kind === 'mse') throw new ValueError(`${algorithm}: loss 'mse' needs Tensor targets, got Int32Array class ids`);
    if (y.length !== n) {
      throw new ShapeError(`${algorithm}: x has ${n} examples (shape [${x.shape}]) but y has ${y.length} labels`);
    }
    const data = typedArrayFor(x.dtype, y);
    const ids = Tensor.fromHandle(x.backend, x.backend.fromArray(data, [n]), [n], x.dtype);
    return { x, y: ids, labels: y };
  }
  if (!Tensor.isTensor(y)) throw new ValueError(`${algorithm}: a task's y must be a Tensor or an Int32Array`);
  if (y.shape[0] !== n) {
    throw new ShapeError(`${algorithm}: x has shape [${x.shape}] but y has shape [${y.shape}]: example counts differ`);
  }
  return { x, y };
}

/** Outputs of a per-step program before the batch statistics: [loss, model output]. */
export const STATISTICS_OFFSET = 2;

/**
 * MAML++'s per-step batch norm (lib/nn/perStepBatchNorm.ts): the program takes one more data
 * input, the state one-hot `step` [k + 1], and returns [loss, model output, mean_0, var_0,
 * mean_1, var_1, ...]: every batch-norm layer's batch statistics ([C] each, variance unbiased)
 * ride along as extra outputs, so the engine's ordinary forward passes give the running
 * statistics their data at no extra pass.
 */
export interface PerStepInput {
  model: PerStepBatchNormModel;
  /** An example state one-hot (its shape and dtype key the program). */
  step: Tensor;
  statistics: BatchNormStatistics;
}

/**
 * Recorded loss programs of one model (lib/core/programCache.ts: keyed by backend, loss kind,
 * parameter and data shapes and dtypes; bounded, least recently used first). acquire() pins the
 * program until release(), so a running call's program is never freed under it.
 */
export class LossPrograms {
  readonly cache = new ProgramCache<RecordedProgram>();

  constructor(
    private readonly model: FunctionalModel,
    private readonly algorithm: string,
  ) {}

  /** The program for these params and data shapes (recorded on first use), pinned until release(program). */
  acquire(params: Params, data: ProgramData, kind: LossKind, perStep?: PerStepInput): RecordedProgram {
    const identity = perStep ? `${kind} perStep ${perStep.statistics}` : kind;
    const inputs: [string, Tensor][] = [...sortedKeys(params).map((n): [string, Tensor] => [n, params[n]]), ['x', data.x], ['y', data.y]];
    if (perStep) inputs.push(['step', perStep.step]);
    const key = programKey(data.x.backend, identity, inputs);
    return this.cache.acquire(key, () =>
      perStep
        ? record(perStepLossPass(perStep, this.algorithm, kind), params, data.x, data.y, perStep.step)
        : record(lossPass(this.model, this.algorithm, kind), params, data.x, data.y),
    );
  }

  /** Ends the use of an acquired program. */
  release(program: RecordedProgram): void {
    this.cache.release(program);
  }

  /** Frees every recorded program (one in use when its user releases it). */
  dispose(): void {
    this.cache.dispose();
  }
}

/** The per-step program's function: [loss, model output, ...batch statistics]. */
function perStepLossPass(perStep: PerStepInput, algorithm: string, kind: LossKind): (params: Params, x: Tensor, y: Tensor, step: Tensor) => Tensor[] {
  const { model, statistics } = perStep;
  return (params, x, y, step) => {
    const { output, batchStatistics } = model.applyAtStep(params, x, step, statistics);
    return [taskLossOf(algorithm, kind, output, y), output, ...batchStatistics];
  };
}

/** The loss program's function: [loss] for mse, [loss, logits] for crossEntropy. */
export function lossPass(model: FunctionalModel, algorithm: string, kind: LossKind): (params: Params, x: Tensor, y: Tensor) => Tensor[] {
  return (params, x, y) => {
    const out = model.apply(params, x);
    const loss = taskLossOf(algorithm, kind, out, y);
    return kind === 'mse' ? [loss] : [loss, out];
  };
}

/** The task loss of model output `out` against y (targets, or class ids as floats), shapes checked. */
export function taskLossOf(algorithm: string, kind: LossKind, out: Tensor, y: Tensor): Tensor {
  if (kind === 'mse') {
    if (out.shape.join(',') !== y.shape.join(',')) {
      throw new ShapeError(`${algorithm}: the model predicts shape [${out.shape}] but the targets have shape [${y.shape}]`);
    }
    return ops.mse(out, y);
  }
  if (out.rank !== 2 || out.shape[0] !== y.shape[0]) {
    throw new ShapeError(`${algorithm}: crossEntropy needs logits [${y.shape[0]}, classes], the model gives [${out.shape}]`);
  }
  return ops.crossEntropy(out, y);
}

/** Fraction of rows whose largest logit is the label. logits: [n, classes] row-major. */
export function accuracyFromLogits(logits: ArrayLike<number>, shape: readonly number[], labels: Int32Array): number {
  const [n, classes] = shape;
  return fractionCorrect(argmaxRows(logits, n, classes), labels);
}
