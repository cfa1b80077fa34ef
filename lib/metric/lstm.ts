/**
 * The LSTM cell's parameters as a Params record for the learners (Matching Networks' Full
 * Context Embeddings); the cell itself is the core op ops.lstmCell (lib/ops/recurrent.ts).
 * Parameters: weightIh [4*hidden, in], weightHh [4*hidden, hidden], bias [4*hidden], initialised
 * uniform in [-1/sqrt(hidden), 1/sqrt(hidden)] as PyTorch does.
 */
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Params } from '../algorithms/types.js';
import { randUniform } from '../core/creation.js';

export interface LSTMState {
  /** [batch, hidden] */
  h: Tensor;
  /** [batch, hidden] */
  c: Tensor;
}

export function initLSTMCell(seed: number, inputSize: number, hiddenSize: number, dtype: DType = 'float32'): Params {
  const bound = 1 / Math.sqrt(hiddenSize);
  return {
    weightIh: randUniform([4 * hiddenSize, inputSize], seed, -bound, bound, dtype),
    weightHh: randUniform([4 * hiddenSize, hiddenSize], seed + 1, -bound, bound, dtype),
    bias: randUniform([4 * hiddenSize], seed + 2, -bound, bound, dtype),
  };
}

/** One LSTM step: x [batch, in], state { h, c } [batch, hidden] -> the next state (ops.lstmCell). */
export function lstmCell(params: Params, x: Tensor, state: LSTMState): LSTMState {
  const { weightIh, weightHh, bias } = params;
  return ops.lstmCell(x, state.h, state.c, { weightIh, weightHh, bias });
}
