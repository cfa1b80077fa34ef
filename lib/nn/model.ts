/** The functional model shape every network in lib/nn follows. */
import type { DType } from '../backend/types.js';
import type { Params } from '../core/params.js';
import type { Tensor } from '../core/tensor.js';

export interface Model {
  /** Fresh parameters; the same seed gives the same numbers on every machine. */
  init(seed: number, dtype?: DType): Params;
  /** The forward pass: x -> output (logits, regression values, or embeddings). */
  apply(params: Params, x: Tensor): Tensor;
  /** Optional feature extractor (e.g. conv4 without its head), for metric-based learners. */
  embed?(params: Params, x: Tensor): Tensor;
}

export { sortedKeys as paramOrder } from '../core/params.js';
