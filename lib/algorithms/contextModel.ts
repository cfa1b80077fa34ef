/**
 * CAVIA's model wrapper: how the task context vector params.context [contextSize] enters.
 *
 * - Vector inputs x [n, d] (the paper's regression): as extra input features,
 *     apply(params, x) = model.apply(weights, concat([x, context broadcast to every row], axis 1)),
 *   so the wrapped model takes d + contextSize inputs (e.g. nn.mlp([1 + 4, 40, 40, 1])).
 * - Images x [n, C, H, W] (the paper's classification nets): through the model's own FiLM layer,
 *   which reads params.context: a model that declares `filmContextSize` (nn.conv4 with `film`).
 */
import { ShapeError, ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../core/tensor.js';
import type { FunctionalModel } from './options.js';
import type { Params } from './types.js';
import { checkModel } from './inputChecks.js';
import { describeValue } from '../core/args.js';
import { checkAllocation } from '../core/allocation.js';

/** The Params key of CAVIA's context vector. */
export const CONTEXT_PARAM = 'context';

export function contextModel(model: FunctionalModel, contextSize: number): FunctionalModel {
  checkModel('CAVIA: model', model);
  if (!Number.isInteger(contextSize) || contextSize < 1) {
    throw new ValueError(`CAVIA: contextSize must be an integer >= 1, got ${describeValue(contextSize)}`);
  }
  checkAllocation('CAVIA: context', [contextSize], 'float64');
  return {
    init(seed, dtype) {
      const params = model.init(seed, dtype);
      if (CONTEXT_PARAM in params) throw new ValueError(`CAVIA: the model already has a parameter named '${CONTEXT_PARAM}'`);
      return params;
    },
    apply(params: Params, x: Tensor): Tensor {
      const { [CONTEXT_PARAM]: context, ...weights } = params;
      if (!context) throw new ValueError(`CAVIA: params has no '${CONTEXT_PARAM}' vector`);
      if (x.rank !== 2) {
        if (filmContextSize(model) === contextSize) return model.apply(params, x);
        throw new ShapeError(
          `CAVIA: inputs [${x.shape}] are not [n, features], and the model has no FiLM layer for a context of ${contextSize} ` +
            `(build it with nn.conv4({ ..., film: { contextSize: ${contextSize} } }))`,
        );
      }
      const rows = ops.broadcastTo(ops.reshape(context, [1, contextSize]), [x.shape[0], contextSize]);
      return model.apply(weights, ops.concat([x, rows], 1));
    },
  };
}

function filmContextSize(model: FunctionalModel): number | undefined {
  const size = (model as { filmContextSize?: unknown }).filmContextSize;
  return typeof size === 'number' ? size : undefined;
}
