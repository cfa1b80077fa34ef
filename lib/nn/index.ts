/** Functional models: { init(seed, dtype?) -> Params, apply(params, x) -> Tensor }. */
export { mlp } from './mlp.js';
export { conv4, type Conv4Options, type Conv4Model, type PerStepConv4Model } from './conv4.js';
export {
  BN_STATS_PREFIX,
  isPerStepBatchNormModel,
  stepOneHot,
  type BatchNormStatistics,
  type PerStepBatchNormModel,
} from './perStepBatchNorm.js';
export { paramOrder, type Model } from './model.js';
export { fanInUniform, uniformTensor } from './init.js';
