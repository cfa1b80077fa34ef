/**
 * Max pooling (no padding) and its two helpers. All three share argmaxIndices, so the JVP
 * (select) and VJP (scatter) route through exactly the positions the forward pass picked.
 * Ties: the first maximum in row-major order within the window wins.
 */
import { allocate, type JsTensor } from './jsTensor.js';

interface PoolAttrs {
  kernel: [number, number];
  stride: [number, number];
}

function pooledShape(x: JsTensor, { kernel, stride }: PoolAttrs): number[] {
  const [N, C, H, W] = x.shape;
  return [N, C, Math.floor((H - kernel[0]) / stride[0]) + 1, Math.floor((W - kernel[1]) / stride[1]) + 1];
}

/** For every pooled output element, the flat index into x of its window's maximum. */
export function argmaxIndices(x: JsTensor, attrs: PoolAttrs): Int32Array {
  const [N, C, H, W] = x.shape;
  const [, , OH, OW] = pooledShape(x, attrs);
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const xd = x.data;
  const out = new Int32Array(N * C * OH * OW);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oi = 0; oi < OH; oi++) {
      for (let oj = 0; oj < OW; oj++, o++) {
        let best = base + oi * sh * W + oj * sw;
        let bestValue = xd[best];
        for (let ki = 0; ki < kh; ki++) {
          for (let kj = 0; kj < kw; kj++) {
            const idx = base + (oi * sh + ki) * W + oj * sw + kj;
            // NaN wins so that it propagates, as in PyTorch.
            if (xd[idx] > bestValue || (Number.isNaN(xd[idx]) && !Number.isNaN(bestValue))) {
              best = idx;
              bestValue = xd[idx];
            }
          }
        }
        out[o] = best;
      }
    }
  }
  return out;
}

/** maxPool2dSelect(x, t): t at x's argmax positions (maxPool2d is this with t = x). */
export function maxPool2dSelect(x: JsTensor, t: JsTensor, attrs: PoolAttrs): JsTensor {
  const out = allocate(pooledShape(x, attrs), x.dtype);
  const idx = argmaxIndices(x, attrs);
  const td = t.data;
  const od = out.data;
  for (let i = 0; i < od.length; i++) od[i] = td[idx[i]];
  return out;
}

export function maxPool2d(x: JsTensor, attrs: PoolAttrs): JsTensor {
  return maxPool2dSelect(x, x, attrs);
}

/** maxPool2dScatter(x, g): adds g into zeros shaped like x at x's argmax positions. */
export function maxPool2dScatter(x: JsTensor, g: JsTensor, attrs: PoolAttrs): JsTensor {
  const out = allocate(x.shape, x.dtype);
  const idx = argmaxIndices(x, attrs);
  const gd = g.data;
  const od = out.data;
  for (let i = 0; i < idx.length; i++) od[idx[i]] += gd[i];
  return out;
}
