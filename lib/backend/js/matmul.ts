/** Dense matrix multiply on typed arrays, row-major. */
import type { TypedArray } from '../types.js';
import { allocate, type JsTensor } from './jsTensor.js';

/** Row-major transpose of a [rows, cols] matrix. */
export function transpose2d(a: TypedArray, rows: number, cols: number): TypedArray {
  const out = new (a.constructor as { new (n: number): TypedArray })(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  }
  return out;
}

/**
 * c[n,m] += a[n,k] x b[k,m] (all row-major, offsets into larger buffers allowed).
 * The i-k-j order streams rows of b and c contiguously (cache friendly, vectorisable).
 */
export function gemmAccumulate(
  a: TypedArray, aOffset: number,
  b: TypedArray, bOffset: number,
  c: TypedArray, cOffset: number,
  n: number, k: number, m: number,
): void {
  for (let i = 0; i < n; i++) {
    const cRow = cOffset + i * m;
    const aRow = aOffset + i * k;
    for (let p = 0; p < k; p++) {
      const aip = a[aRow + p];
      const bRow = bOffset + p * m;
      for (let j = 0; j < m; j++) c[cRow + j] += aip * b[bRow + j];
    }
  }
}

/** matmul primitive: op(a) [n,k] x op(b) [k,m], op = transpose when the flag is set. */
export function matmul(a: JsTensor, b: JsTensor, transA: boolean, transB: boolean): JsTensor {
  const [ar, ac] = a.shape;
  const [br, bc] = b.shape;
  const left = transA ? transpose2d(a.data, ar, ac) : a.data;
  const right = transB ? transpose2d(b.data, br, bc) : b.data;
  const n = transA ? ac : ar;
  const k = transA ? ar : ac;
  const m = transB ? br : bc;
  const out = allocate([n, m], a.dtype);
  gemmAccumulate(left, 0, right, 0, out.data, 0, n, k, m);
  return out;
}
