/**
 * A one-parameter program small enough to check by hand, shared by the native engine's tests:
 * L(w) = |X w|^2 / 3 with w [2,1] (input 0) and data X [3,2] (input 1); outputs: [loss].
 */
import type { ProgramSpec } from '../../lib/backend/types.js';

const f64 = 'float64' as const;

export const spec: ProgramSpec = {
  inputs: [
    { shape: [2, 1], dtype: f64 },
    { shape: [3, 2], dtype: f64 },
  ],
  nodes: [
    { op: 'matmul', inputs: [1, 0], attrs: { transA: false, transB: false }, shape: [3, 1], dtype: f64 },
    { op: 'square', inputs: [2], attrs: {}, shape: [3, 1], dtype: f64 },
    { op: 'sum', inputs: [3], attrs: { axes: [0, 1], keepDims: false }, shape: [], dtype: f64 },
    { op: 'mulScalar', inputs: [4], attrs: { value: 1 / 3 }, shape: [], dtype: f64 },
  ],
  outputs: [5],
};

/** The parameter w and the data X of a support and a query set. */
export const W = [0.5, -0.25];
export const SUPPORT = [1, 2, 3, 4, 5, 6];
export const QUERY = [-1, 0.5, 2, 1, 0, -3];
