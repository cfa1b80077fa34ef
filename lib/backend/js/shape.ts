/** Layout kernels: broadcastTo, reshape, concat, slice. */
import { sizeOf } from '../../core/shape.js';
import { broadcastOffsets } from './elementwise.js';
import { allocate, JsTensor } from './jsTensor.js';

export function broadcastTo(x: JsTensor, shape: readonly number[]): JsTensor {
  const out = allocate(shape, x.dtype);
  const offsets = broadcastOffsets(x.shape, shape);
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < od.length; i++) od[i] = xd[offsets[i]];
  return out;
}

/** A copy with a new shape (copying keeps every handle independently disposable). */
export function reshape(x: JsTensor, shape: readonly number[]): JsTensor {
  return new JsTensor(x.data.slice(), [...shape]);
}

/** Views a tensor as [outer, axisSize * inner] blocks around `axis`. */
function blocks(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) };
}

export function concat(xs: JsTensor[], axis: number, outShape: readonly number[]): JsTensor {
  const out = allocate(outShape, xs[0].dtype);
  // Empty: nothing to copy (the outer dims alone may be huge: [2^40, 0]).
  if (out.data.length === 0) return out;
  const { outer, inner } = blocks(outShape, axis);
  const outRow = outShape[axis] * inner;
  let columnOffset = 0;
  for (const x of xs) {
    const rowLength = x.shape[axis] * inner;
    const xd = x.data;
    for (let o = 0; o < outer; o++) {
      out.data.set(xd.subarray(o * rowLength, (o + 1) * rowLength), o * outRow + columnOffset);
    }
    columnOffset += rowLength;
  }
  return out;
}

export function slice(x: JsTensor, axis: number, start: number, end: number, outShape: readonly number[]): JsTensor {
  const out = allocate(outShape, x.dtype);
  if (out.data.length === 0) return out; // nothing to copy, however large the outer dims
  const { outer, inner } = blocks(x.shape, axis);
  const inRow = x.shape[axis] * inner;
  const outRow = (end - start) * inner;
  const xd = x.data;
  for (let o = 0; o < outer; o++) {
    const from = o * inRow + start * inner;
    out.data.set(xd.subarray(from, from + outRow), o * outRow);
  }
  return out;
}
