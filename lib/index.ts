// metalearn public API. Each area adds its exports at its marker.
export * from './errors.js';
export type { DType } from './backend/types.js';

// core (tensor, transforms, backends, ops, nn)
export { Tensor } from './core/tensor.js';
export { tidy, keep } from './core/scope.js';
export { tensor, scalar, zeros, ones, full, randn, randUniform } from './core/creation.js';
export { grad, valueAndGrad, vjp, jvp, hvp, record, type ScalarFunction } from './core/transforms.js';
export { RecordedProgram, type RecordableFunction } from './core/record.js';
export { type Params, sortedKeys, disposeParams } from './core/params.js';
export { Random } from './core/random.js';
export { setBackend, getBackend, type BackendName } from './backend/index.js';
export type { Backend, CompiledProgram, Handle, ProgramSpec, MetaGradientRequest, MetaGradientResult } from './backend/types.js';
export * as nn from './nn/index.js';
export * as ops from './ops/index.js';

// data
export * as data from './data/index.js';

// algorithms
export { MAML, Reptile, MetaSGD, ANIL, MAMLpp, IMAML, CAVIA } from './algorithms/index.js';
export type { MAMLOptions, ReptileOptions, MetaSGDOptions, ANILOptions, MAMLppOptions, IMAMLOptions, CAVIAOptions } from './algorithms/index.js';
export { contextModel, multiStepLossWeights, cosineAnnealing } from './algorithms/index.js';
export { AdaptedModelPredictor, type AdaptedParams, type Predictor, type AdaptOptions, type AdaptiveLearner } from './algorithms/index.js';
export type { MetaLearner, MetaStepResult, Task, LabeledSet, Targets, TaskScore } from './algorithms/index.js';

// metric
export { ProtoNet, MatchingNet, RelationNet, SiameseNet } from './metric/index.js';

// train
export * from './train/index.js';

// adapt, then predict from a checkpoint
export { loadLearner, type LoadedLearner, type LoadLearnerOptions } from './train/loadLearner.js';

// Types that appear in the public signatures above, exported so users can annotate with them
// (and so the API docs, `npm run docs`, link them instead of warning).
export type { MatchingNetOptions, RelationNetOptions, RelationModuleKind, SiameseNetOptions, SiameseLoss } from './metric/index.js';
export type {
  EmbeddingModel,
  LossAndGrad,
  EvaluateOptions as MetricEvaluateOptions,
  EvaluationResult as MetricEvaluationResult,
  Episode as MetricEpisode,
  EpisodeSource,
  MetricSet,
} from './metric/index.js';
export type { EpisodePredictor } from './metric/episodePredictor.js';
export type { HeadSpec, LossKind, PredictionPass } from './algorithms/index.js';
export type { EngineChoice } from './algorithms/options.js';
export type { EpisodeTaskOptions, SinusoidTaskOptions } from './train/taskSource.js';
export type { AtomicWriteHooks } from './train/atomicWrite.js';
export type { TypedArray, ProgramNode, AdaptBatchRequest, AdaptBatchResult } from './backend/types.js';
export type { PrimitiveAttrs, PrimitiveAttrMap, PrimitiveName } from './backend/primitives.js';
export type { FloatArray } from './train/namedArrays.js';
