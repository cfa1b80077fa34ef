/**
 * The ops facade: every primitive with a friendly signature, plus composites built from
 * primitives (so they are differentiable, recordable and identical on every backend).
 */
export {
  matmul, add, sub, mul, div,
  neg, exp, log, sqrt, square, relu, tanh, sigmoid, softplus, abs,
  addScalar, mulScalar, powScalar, pow, reluMask,
  sum, broadcastTo, reshape, concat, slice,
  softmax, logSoftmax,
  conv2dRaw, conv2dBackwardInput, conv2dBackwardWeight,
  maxPool2d, maxPool2dSelect, maxPool2dScatter,
  squaredEuclidean,
  type Operand, type Pair, type PoolOptions,
} from './primitives.js';
export { mean } from './reductions.js';
export { linear, conv2d, batchNorm, type Conv2dOptions } from './layers.js';
export { crossEntropy, mse, bceWithLogits } from './losses.js';
export { prototypes, cosineSimilarity } from './metric.js';
export { lstmCell, type LSTMCellWeights } from './recurrent.js';
export { oneHot, accuracy, checkLabels, type Labels } from './labels.js';
