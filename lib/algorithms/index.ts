/** Optimization-based meta-learning: MAML and its family on one inner-loop engine. */
export { MAML, type MAMLOptions } from './maml.js';
export { Reptile, type ReptileOptions } from './reptile.js';
export { MetaSGD, type MetaSGDOptions } from './metaSGD.js';
export { ANIL, type ANILOptions } from './anil.js';
export { MAMLpp, stepRateName, type MAMLppOptions } from './mamlpp.js';
export { IMAML, type IMAMLOptions } from './imaml.js';
export { CAVIA, type CAVIAOptions } from './cavia.js';
export { contextModel, CONTEXT_PARAM } from './contextModel.js';
export { multiStepLossWeights, cosineAnnealing, orderAt } from './schedules.js';
export { selectHead, type HeadSpec } from './headSelection.js';
export { runMetaGradient, metaGradientInTypeScript, adaptByGradientDescent, type EnginePrograms, type EngineProgram } from './innerLoop.js';
export { InnerLoopLearner, LR_PREFIX } from './innerLoopLearner.js';
export type { FunctionalModel, InnerLoopOptions, LossKind } from './options.js';
export type { MetaLearner, MetaStepResult, Task, LabeledSet, Targets, TaskScore } from './types.js';
export { AdaptedModelPredictor, adaptedParams, type AdaptedParams, type Predictor, type AdaptOptions, type AdaptiveLearner, type PredictionPass } from './predictor.js';
