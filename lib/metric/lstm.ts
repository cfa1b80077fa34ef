/**
 * An LSTM cell built from core ops (matmul, add, slice, sigmoid, tanh, mul), so its
 * derivatives of every order come from the core's primitives. PyTorch's layout and gate order:
 *
 *   gates = x W_ih^T + h W_hh^T + b          x [batch, in], h [batch, hidden] -> gates [batch, 4*hidden]
 *   i, f, g, o = gates split into 4 along axis 1 (input, forget, cell, output)
 *   c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
 *   h' = sigmoid(o) * tanh(c')
 *
 * Parameters: weightIh [4*hidden, in], weightHh [4*hidden, hidden], bias [4*hidden], initialised
 * uniform in [-1/sqrt(hidden), 1/sqrt(hidden)] as PyTorch does.
 */
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Params } from '../algorithms/types.js';
import { ShapeError } from '../errors.js';
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

/** One LSTM step: x [batch, in], state { h, c } [batch, hidden] -> the next state. */
export function lstmCell(params: Params, x: Tensor, state: LSTMState): LSTMState {
  const hidden = state.h.shape[1];
  const { weightIh, weightHh, bias } = params;
  if (weightIh.shape[0] !== 4 * hidden || weightIh.shape[1] !== x.shape[1]) {
    throw new ShapeError(
      `lstmCell: weightIh [${weightIh.shape.join(', ')}] does not fit input [${x.shape.join(', ')}] and hidden size ${hidden} (need [${4 * hidden}, ${x.shape[1]}])`,
    );
  }
  const gates = ops.add(ops.linear(x, weightIh, bias), ops.matmul(state.h, weightHh, { transB: true }));
  const gate = (k: number): Tensor => ops.slice(gates, 1, k * hidden, (k + 1) * hidden);
  const input = ops.sigmoid(gate(0));
  const forget = ops.sigmoid(gate(1));
  const cell = ops.tanh(gate(2));
  const output = ops.sigmoid(gate(3));
  const c = ops.add(ops.mul(forget, state.c), ops.mul(input, cell));
  return { h: ops.mul(output, ops.tanh(c)), c };
}
