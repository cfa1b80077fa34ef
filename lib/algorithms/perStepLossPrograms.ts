/**
 * Loss programs of a model with per-step batch norm (MAML++; lib/nn/perStepBatchNorm.ts),
 * recorded once per shape and statistics mode like LossPrograms (lossProgram.ts), with one more
 * data input: the state one-hot `step` [k + 1].
 *
 * Program: loss(params, x, y, step) with inputs [params sorted..., x, y, step, constants...]
 * and outputs [loss, model output, mean_0, var_0, mean_1, var_1, ...]: the batch statistics of
 * every batch-norm layer ([C] each, variance unbiased) ride along as extra outputs, so the
 * engine's ordinary forward passes give the running statistics their data at no extra pass.
 */
import type { RecordedProgram } from '../core/record.js';
import { sortedKeys } from '../core/params.js';
import { record } from '../core/transforms.js';
import type { Tensor } from '../core/tensor.js';
import type { BatchNormStatistics, PerStepBatchNormModel } from '../nn/perStepBatchNorm.js';
import { taskLossOf, type ProgramData } from './lossProgram.js';
import type { LossKind } from './options.js';
import type { Params } from './types.js';

/** Outputs before the batch statistics: [loss, model output]. */
export const STATISTICS_OFFSET = 2;

export class PerStepLossPrograms {
  private readonly cache = new Map<string, RecordedProgram>();

  constructor(
    private readonly model: PerStepBatchNormModel,
    private readonly algorithm: string,
  ) {}

  /** The program for these params and data shapes (recorded on first use); step: an example one-hot. */
  get(params: Params, data: ProgramData, step: Tensor, kind: LossKind, statistics: BatchNormStatistics): RecordedProgram {
    const names = sortedKeys(params);
    const shapeKey = (t: Tensor): string => `${t.dtype}[${t.shape.join(',')}]`;
    const key = [kind, statistics, ...names.map((n) => `${n}:${shapeKey(params[n])}`), shapeKey(data.x), shapeKey(data.y)].join('|');
    let program = this.cache.get(key);
    if (!program) {
      program = record(this.lossFunction(kind, statistics), params, data.x, data.y, step);
      this.cache.set(key, program);
    }
    return program;
  }

  dispose(): void {
    for (const program of this.cache.values()) program.dispose();
    this.cache.clear();
  }

  private lossFunction(kind: LossKind, statistics: BatchNormStatistics): (params: Params, x: Tensor, y: Tensor, step: Tensor) => Tensor[] {
    const { model, algorithm } = this;
    return (params, x, y, step) => {
      const { output, batchStatistics } = model.applyAtStep(params, x, step, statistics);
      return [taskLossOf(algorithm, kind, output, y), output, ...batchStatistics];
    };
  }
}
