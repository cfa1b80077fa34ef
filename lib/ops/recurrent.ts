/**
 * The LSTM cell as a core op, a composite of primitives (matmul, add, slice, sigmoid, tanh,
 * mul), so its derivatives of every order (VJP, JVP, HVP) come from the primitives' rules and it
 * runs identically on every backend. PyTorch's layout and gate order:
 *
 *   gates = x W_ih^T + b + h W_hh^T     x [batch, in], h [batch, hidden] -> gates [batch, 4*hidden]
 *   i, f, g, o = gates split into 4 along axis 1 (input, forget, cell, output)
 *   c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
 *   h' = sigmoid(o) * tanh(c')
 *
 * weightIh [4*hidden, in], weightHh [4*hidden, hidden], bias [4*hidden].
 */
import type { Tensor } from '../core/tensor.js';
import { ShapeError } from '../errors.js';
import { linear } from './layers.js';
import { add, matmul, mul, sigmoid, slice, tanh } from './primitives.js';
import { expectRecord, expectTensor } from '../core/args.js';

export interface LSTMCellWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  bias: Tensor;
}

/** One LSTM step: returns the next hidden and cell states, each [batch, hidden]. */
export function lstmCell(x: Tensor, h: Tensor, c: Tensor, weights: LSTMCellWeights): { h: Tensor; c: Tensor } {
  const record = expectRecord(weights, 'lstmCell: weights');
  const checked = {
    weightIh: expectTensor(record.weightIh, 'lstmCell: weights.weightIh'),
    weightHh: expectTensor(record.weightHh, 'lstmCell: weights.weightHh'),
    bias: expectTensor(record.bias, 'lstmCell: weights.bias'),
  };
  const { weightIh, weightHh, bias } = checked;
  checkShapes(expectTensor(x, 'lstmCell: x'), expectTensor(h, 'lstmCell: h'), expectTensor(c, 'lstmCell: c'), checked);
  const hidden = h.shape[1];
  const gates = add(linear(x, weightIh, bias), matmul(h, weightHh, { transB: true }));
  const gate = (k: number): Tensor => slice(gates, 1, k * hidden, (k + 1) * hidden);
  const input = sigmoid(gate(0));
  const forget = sigmoid(gate(1));
  const cell = tanh(gate(2));
  const output = sigmoid(gate(3));
  const next = add(mul(forget, c), mul(input, cell));
  return { h: mul(output, tanh(next)), c: next };
}

function checkShapes(x: Tensor, h: Tensor, c: Tensor, { weightIh, weightHh, bias }: LSTMCellWeights): void {
  const shape = (t: Tensor) => `[${t.shape.join(', ')}]`;
  if (x.rank !== 2 || h.rank !== 2 || c.rank !== 2 || h.shape.join() !== c.shape.join() || x.shape[0] !== h.shape[0]) {
    throw new ShapeError(`lstmCell: x ${shape(x)}, h ${shape(h)} and c ${shape(c)} must be [batch, in], [batch, hidden], [batch, hidden]`);
  }
  const [inSize, hidden] = [x.shape[1], h.shape[1]];
  if (weightIh.shape.join() !== [4 * hidden, inSize].join()) {
    throw new ShapeError(
      `lstmCell: weightIh ${shape(weightIh)} does not fit input ${shape(x)} and hidden size ${hidden} (need [${4 * hidden}, ${inSize}])`,
    );
  }
  if (weightHh.shape.join() !== [4 * hidden, hidden].join()) {
    throw new ShapeError(`lstmCell: weightHh ${shape(weightHh)} must be [${4 * hidden}, ${hidden}] for hidden size ${hidden}`);
  }
  if (bias.shape.join() !== String(4 * hidden)) throw new ShapeError(`lstmCell: bias ${shape(bias)} must be [${4 * hidden}]`);
}
