/**
 * Full Context Embeddings of Matching Networks (Vinyals et al., 2016, appendix A.2),
 * with embedding size d and the LSTMs' hidden size d:
 *
 *   support, g(x_i, S) = g'(x_i) + h_fwd_i + h_bwd_i
 *     h_fwd / h_bwd: a bidirectional LSTM run over the support embeddings g'(x_1..x_s) in order
 *   query, f(x, S) = h_K after K processing steps of an attention LSTM, from h_0 = r_0 = c_0 = 0:
 *     h^_k, c_k = LSTM(input [f'(x), r_{k-1}], state (h_{k-1}, c_{k-1}))
 *     h_k = h^_k + f'(x)
 *     r_k = softmax(h_k g(S)^T) g(S)           (attention read-out over the support)
 *   (the paper feeds [h_{k-1}, r_{k-1}] as the state; the gates are linear in [x, h, r], so
 *   feeding r with the input instead is the same model.)
 *
 * Parameters (under MatchingNet's 'fce.' prefix): support.forward.*, support.backward.*, query.*,
 * each an LSTM cell (lib/metric/lstm.ts).
 */
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Params } from '../algorithms/types.js';
import { ShapeError } from '../errors.js';
import { initLSTMCell, lstmCell, type LSTMState } from './lstm.js';
import { zerosLike } from './constants.js';
import { withPrefix } from './paramGroups.js';

export function initFullContextEmbedding(seed: number, embeddingDim: number, dtype?: DType): Params {
  const out: Params = {};
  const cells: [string, Params][] = [
    ['support.forward.', initLSTMCell(seed, embeddingDim, embeddingDim, dtype)],
    ['support.backward.', initLSTMCell(seed + 10, embeddingDim, embeddingDim, dtype)],
    ['query.', initLSTMCell(seed + 20, 2 * embeddingDim, embeddingDim, dtype)],
  ];
  for (const [prefix, cell] of cells) for (const [name, value] of Object.entries(cell)) out[prefix + name] = value;
  return out;
}

/** g(x_i, S) for every support row: support [s, d] -> [s, d]. */
export function contextualSupport(params: Params, support: Tensor): Tensor {
  checkDim(params, support);
  const rows = Array.from({ length: support.shape[0] }, (_, i) => ops.slice(support, 0, i, i + 1));
  const forward = runLSTM(withPrefix(params, 'support.forward.'), rows);
  const backward = runLSTM(withPrefix(params, 'support.backward.'), [...rows].reverse()).reverse();
  return ops.add(support, ops.add(ops.concat(forward, 0), ops.concat(backward, 0)));
}

/** f(x, S) for every query row: query [q, d], contextual support [s, d] -> [q, d]. */
export function contextualQuery(params: Params, query: Tensor, support: Tensor, steps: number): Tensor {
  checkDim(params, query);
  const cell = withPrefix(params, 'query.');
  const zero = zerosLike(query);
  let state: LSTMState = { h: zero, c: zero };
  let readout = zero;
  for (let k = 0; k < steps; k++) {
    const next = lstmCell(cell, ops.concat([query, readout], 1), state);
    const h = ops.add(next.h, query);
    const attention = ops.softmax(ops.matmul(h, support, { transB: true })); // [q, s]
    readout = ops.matmul(attention, support); // [q, d]
    state = { h, c: next.c };
  }
  return state.h;
}

/** Runs one LSTM over a sequence of [1, d] rows from a zero state; returns each step's h. */
function runLSTM(cell: Params, rows: Tensor[]): Tensor[] {
  const zero = zerosLike(rows[0]);
  let state: LSTMState = { h: zero, c: zero };
  return rows.map((row) => {
    state = lstmCell(cell, row, state);
    return state.h;
  });
}

function checkDim(params: Params, embeddings: Tensor): void {
  const expected = params['support.forward.weightIh'].shape[1];
  if (embeddings.shape[1] !== expected) {
    throw new ShapeError(
      `MatchingNet (full context embeddings): embeddings have dimension ${embeddings.shape[1]} ([${embeddings.shape.join(', ')}]) but the LSTMs were built for ${expected} (option embeddingDim)`,
    );
  }
}
