/** Functional models: { init(seed, dtype?) -> Params, apply(params, x) -> Tensor }. */
export { mlp } from './mlp.js';
export { conv4, type Conv4Options, type Conv4Model } from './conv4.js';
export { paramOrder, type Model } from './model.js';
export { fanInUniform, uniformTensor } from './init.js';
