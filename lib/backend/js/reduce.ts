/** Sum over axes. */
import { stridesOf } from '../../core/shape.js';
import { stridedOffsets } from './elementwise.js';
import { allocate, type JsTensor } from './jsTensor.js';

/** sum primitive; outShape is the inferred output shape (with or without kept dims). */
export function sum(x: JsTensor, axes: readonly number[], outShape: readonly number[]): JsTensor {
  const out = allocate(outShape, x.dtype);
  const xd = x.data;
  const od = out.data;
  if (axes.length === x.shape.length) {
    let s = 0;
    for (let i = 0; i < xd.length; i++) s += xd[i];
    od[0] = s;
    return out;
  }
  if (axes.length === 1 && axes[0] === 0) {
    // Column sums of a [rows, rest] view (e.g. a bias gradient): contiguous rows.
    const rest = od.length;
    for (let r = 0; r < xd.length / rest; r++) {
      for (let j = 0; j < rest; j++) od[j] += xd[r * rest + j];
    }
    return out;
  }
  // Stride of every input axis in the output (0 on reduced axes), so input element i adds into od[offsets[i]].
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(keptShape);
  const strides = x.shape.map((_, i) => (axes.includes(i) ? 0 : keptStrides[i]));
  const offsets = stridedOffsets(x.shape, strides);
  for (let i = 0; i < xd.length; i++) od[offsets[i]] += xd[i];
  return out;
}
