/**
 * CAVIA's model wrapper: the task context vector enters as extra input features.
 *
 *   apply(params, x) = model.apply(params, concat([x, context broadcast to every row], axis 1))
 *   x: [n, d], params.context: [contextSize], so the wrapped model must take d + contextSize
 *   input features (e.g. nn.mlp([1 + 4, 40, 40, 1]) for sinusoids with 4 context parameters).
 */
import { ShapeError, ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../core/tensor.js';
import type { FunctionalModel } from './options.js';
import type { Params } from './types.js';

/** The Params key of CAVIA's context vector. */
export const CONTEXT_PARAM = 'context';

export function contextModel(model: FunctionalModel, contextSize: number): FunctionalModel {
  if (!Number.isInteger(contextSize) || contextSize < 1) {
    throw new ValueError(`CAVIA: contextSize must be an integer >= 1, got ${contextSize}`);
  }
  return {
    init(seed, dtype) {
      const params = model.init(seed, dtype);
      if (CONTEXT_PARAM in params) throw new ValueError(`CAVIA: the model already has a parameter named '${CONTEXT_PARAM}'`);
      return params;
    },
    apply(params: Params, x: Tensor): Tensor {
      const { [CONTEXT_PARAM]: context, ...weights } = params;
      if (!context) throw new ValueError(`CAVIA: params has no '${CONTEXT_PARAM}' vector`);
      if (x.rank !== 2) throw new ShapeError(`CAVIA: inputs must be [n, features], got [${x.shape}]`);
      const rows = ops.broadcastTo(ops.reshape(context, [1, contextSize]), [x.shape[0], contextSize]);
      return model.apply(weights, ops.concat([x, rows], 1));
    },
  };
}
