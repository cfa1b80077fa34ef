/**
 * loadLearner(checkpointPath): a trained model ready to adapt and predict, in one call.
 *
 *   const { learner, params } = loadLearner('runs/maml/checkpoint.safetensors');
 *   const predictor = await learner.adapt(params, { x: supportX, y: supportY });
 *   const logits = predictor.predict(queryX);
 *
 * The learner and model are rebuilt from the configuration the checkpoint stores (as
 * `metalearn eval` does: lib/cli/checkpointRun.ts), the parameters checked against that model
 * and made on the current backend (setBackend() first to choose). No data is read.
 * Errors: a missing, truncated or foreign file is a CheckpointError naming it.
 */
import type { MetaLearner, Params } from '../algorithms/types.js';
import type { AdaptiveLearner } from '../algorithms/predictor.js';
import type { DType } from '../backend/types.js';
import { CheckpointError, InternalError } from '../errors.js';
import { restoreRun } from '../cli/checkpointRun.js';
import type { JsonValue } from './checkpoint.js';

export interface LoadLearnerOptions {
  /** Parameter dtype; default: the one the run trained with. */
  dtype?: DType;
}

export interface LoadedLearner {
  learner: MetaLearner & AdaptiveLearner;
  /** The trained parameters; the caller owns them (disposeParams when done). */
  params: Params;
  /** Registry name of the algorithm, e.g. 'maml', 'protonet'. */
  algorithm: string;
  /** The run's stored configuration (ways, shots, dataset, test inner steps, ...). */
  config: { [key: string]: JsonValue };
  /** Meta-iterations the checkpoint had completed. */
  iteration: number;
}

export function loadLearner(checkpointPath: string, options: LoadLearnerOptions = {}): LoadedLearner {
  if (typeof checkpointPath !== 'string' || checkpointPath === '') {
    throw new CheckpointError(`loadLearner: checkpointPath must be a file path, got ${JSON.stringify(checkpointPath)}`);
  }
  const { config, run, params, checkpoint } = restoreRun(checkpointPath, options.dtype ? { dtype: options.dtype } : {}, 'loadLearner');
  const learner = run.learner;
  if (typeof learner.adapt !== 'function') {
    throw new InternalError(`loadLearner: the '${config.algo}' learner has no adapt()`);
  }
  return {
    learner: learner as MetaLearner & AdaptiveLearner,
    params,
    algorithm: config.algo,
    config: JSON.parse(JSON.stringify(config)) as { [key: string]: JsonValue },
    iteration: checkpoint.iteration,
  };
}
