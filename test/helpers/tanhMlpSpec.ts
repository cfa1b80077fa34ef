/** The tanh MLP loss program the engine tests share, written as a raw ProgramSpec (no tracing). */
import type { DType, ProgramSpec } from '../../lib/backend/types.js';

/**
 * loss = mean((tanh(x w1 + b1) w2 + b2 - y)^2) over n points, hidden width h; outputs [loss, prediction].
 * Inputs: 0 w1 [1,h] (or w1Shape), 1 b1 [h], 2 w2 [h,1], 3 b2 [1], 4 x [n,1], 5 y [n,1].
 */
export function mlpSpec(n: number, h: number, dtype: DType = 'float64', w1Shape: number[] = [1, h]): ProgramSpec {
  return {
    inputs: [w1Shape, [h], [h, 1], [1], [n, 1], [n, 1]].map((shape) => ({ shape, dtype })),
    nodes: [
      { op: 'matmul', inputs: [4, 0], attrs: { transA: false, transB: false }, shape: [n, h], dtype }, // 6
      { op: 'add', inputs: [6, 1], attrs: {}, shape: [n, h], dtype }, // 7
      { op: 'tanh', inputs: [7], attrs: {}, shape: [n, h], dtype }, // 8
      { op: 'matmul', inputs: [8, 2], attrs: { transA: false, transB: false }, shape: [n, 1], dtype }, // 9
      { op: 'add', inputs: [9, 3], attrs: {}, shape: [n, 1], dtype }, // 10 prediction
      { op: 'sub', inputs: [10, 5], attrs: {}, shape: [n, 1], dtype }, // 11
      { op: 'square', inputs: [11], attrs: {}, shape: [n, 1], dtype }, // 12
      { op: 'sum', inputs: [12], attrs: { axes: [0, 1], keepDims: false }, shape: [], dtype }, // 13
      { op: 'mulScalar', inputs: [13], attrs: { value: 1 / n }, shape: [], dtype }, // 14 loss
    ],
    outputs: [14, 10],
  };
}

/** The parameter shapes of mlpSpec(_, h): w1, b1, w2, b2. */
export const mlpParamShapes = (h: number): number[][] => [[1, h], [h], [h, 1], [1]];
