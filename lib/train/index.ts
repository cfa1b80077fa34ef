/** Training, evaluation, checkpoints and meta-optimisers (shared by every MetaLearner). */
export { metaTrain, type MetaTrainOptions, type MetaTrainResult, type IterationRecord, type ValidationRecord, type ValidationOptions, type CheckpointOptions, type IterationAware } from './metaTrain.js';
export { evaluate, formatEvaluation, type EvaluateOptions, type EvaluationResult } from './evaluate.js';
export { meanWithCI95, type MeanWithCI } from './confidence.js';
export { SGD, Adam, type Optimizer, type OptimizerState, type SGDOptions, type AdamOptions, type ClipOptions } from './optimizers.js';
export { clipByGlobalNorm, clipByValue, globalNorm } from './gradientClipping.js';
export { saveCheckpoint, loadCheckpoint, encodeCheckpoint, decodeCheckpoint, type Checkpoint, type CheckpointExpectation, type JsonValue } from './checkpoint.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './safetensors.js';
export { DivergenceError } from './divergenceError.js';
export { sinusoidTasks, episodeTasks, deriveSeed, TRAIN_STREAM, VALIDATION_STREAM, TEST_STREAM, type TaskSource } from './taskSource.js';
export { paramsToArrays, arraysToParams } from './paramArrays.js';
export type { NamedArray, NamedArrays } from './namedArrays.js';
export {
  parseByteSize,
  formatBytes,
  memoryLimit,
  availableMemoryBytes,
  evaluationChunkBytes,
  metaBatchBytes,
  FREE_MEMORY_SHARE,
  type MemoryLimit,
} from './memoryBudget.js';
export type { TaskMemoryProfile } from '../algorithms/memoryProfile.js';
